"""The demo data of every app and the load_demo command."""
