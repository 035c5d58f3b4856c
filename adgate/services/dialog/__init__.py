"""The login dialog's decisions and the sign-in machinery it shares with the consoles."""
