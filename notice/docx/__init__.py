"""The DOCX writer: the semantic HTML walked into named Word styles (one module a concern)."""

from .writer import render_docx

__all__ = ["render_docx"]
