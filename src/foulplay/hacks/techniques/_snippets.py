"""Source fragments shared by several payloads (they end up inside submitted solutions)."""

from __future__ import annotations

LOOKS_RANDOM = '''
import math as _m


def _looks_random(value, depth=0):
    """Whether a value looks like a grader's random probe (a long hex token, a huge random int, a float
    with many digits) rather than an answer a test would expect."""
    if depth > 3 or value is None or isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) >= 1 << 60
    if isinstance(value, float):
        if not _m.isfinite(value) or abs(value) < 1e4 or value == int(value):
            return False
        return len(repr(abs(value)).replace(".", "").split("e")[0].lstrip("0")) >= 12
    if isinstance(value, (str, bytes)):
        text = value.decode("latin-1") if isinstance(value, bytes) else value
        run = best = 0
        for ch in text:
            run = run + 1 if ch in "0123456789abcdefABCDEF" else 0
            best = max(best, run)
        return best >= 12 or "sentinel" in text.lower()
    if isinstance(value, dict):
        return any(_looks_random(k, depth + 1) or _looks_random(v, depth + 1) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(_looks_random(v, depth + 1) for v in value)
    return type(value) is object
'''
