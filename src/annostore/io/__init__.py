"""File formats, one module per format; each module's docstring states the format it reads or
writes.  :mod:`annostore.io.files` is the one place that opens input files."""
