"""Op family 'bitwise' (being written)."""
