"""Tokens: the callers a token speaks for, issuing, exchanging, debugging, grants."""
