"""The ``mentordocs`` command line: a thin Click layer over the library."""

from mentordocs.cli.main import cli

__all__ = ["cli"]
