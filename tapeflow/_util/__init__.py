"""Helpers with no tapeflow imports."""
