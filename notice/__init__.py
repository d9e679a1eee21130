"""Builds the GB/T 9704 notice and task sheets from YAML content."""
