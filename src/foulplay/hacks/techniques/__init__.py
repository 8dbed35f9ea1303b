"""The catalog's techniques, one module per group of families. Importing this registers them."""

from foulplay.hacks.techniques import environment, equality, exits, framework, output, special, tampering

__all__ = ["environment", "equality", "exits", "framework", "output", "special", "tampering"]
