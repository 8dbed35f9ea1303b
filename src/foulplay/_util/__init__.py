"""Small helpers shared by several layers (files, JSON Lines)."""
