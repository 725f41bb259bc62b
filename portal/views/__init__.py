"""The company portal (/portal/…) and the console's view of a customer's users, one module
per concern."""
