"""The annostore command line: a thin typer layer over the :mod:`annostore` API."""
