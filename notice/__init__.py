"""Builds the GB/T 9704 notice and task sheets from YAML content."""

from .libraries import remember_where_libraries_are

# before anything imports WeasyPrint, which looks its libraries up as it is imported
remember_where_libraries_are()
