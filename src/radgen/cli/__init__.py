"""The ``radgen`` command line: a thin layer over the Python API."""
