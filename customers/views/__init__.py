"""The console's customer pages, one module per concern."""
