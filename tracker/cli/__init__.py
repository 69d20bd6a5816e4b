"""The `tracker` command line: thin Typer commands over the services."""
