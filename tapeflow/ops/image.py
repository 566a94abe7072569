"""Op family 'image' (being written)."""
