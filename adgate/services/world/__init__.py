"""The world: people, businesses, ad accounts, pages, apps, system users, the demo."""
