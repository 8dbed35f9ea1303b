"""The static rules, one module per group of families. Importing this registers them.

Codes: FP1xx equality, FP2xx early exit, FP3xx test framework, FP4xx test tampering,
FP5xx special-casing, FP6xx introspection / monkeypatching / environment / timing,
FP7xx output spoofing, FP8xx stated intent. FPx9x are pattern fallbacks for code that does not parse.
"""

from foulplay.detect.rules import equality, exits, framework, intent, runtime, special, tampering

__all__ = ["equality", "exits", "framework", "intent", "runtime", "special", "tampering"]
