"""The hack catalog: one source of truth for reward-hacking techniques against test graders.

Each :class:`Technique` has a stable id, a family, a description, where it was reported, a payload
generator that adapts to a problem, the grader weaknesses it needs and the defence that stops it.
Payloads, detectors, docs and ``foulplay probe`` all read this catalog.
"""

from __future__ import annotations

from foulplay.hacks import techniques as _techniques  # noqa: F401 - registers the techniques
from foulplay.hacks._advice import ADVICE, Advice, advice_for
from foulplay.hacks._context import HackContext, ReferenceRun, VisibleTest, context_for
from foulplay.hacks._model import HARNESS_SWITCHES, Citation, Family, Payload, Technique, Weakness, registry


def catalog() -> list[Technique]:
    """All techniques, ordered by family then id."""
    order = list(Family)
    return sorted(registry().values(), key=lambda t: (order.index(t.family), t.id))


def get(technique_id: str) -> Technique:
    from foulplay.errors import InputError

    try:
        return registry()[technique_id]
    except KeyError:
        raise InputError(f"no technique {technique_id!r} (see `foulplay hacks list`)") from None


__all__ = [
    "ADVICE",
    "HARNESS_SWITCHES",
    "Advice",
    "Citation",
    "Family",
    "HackContext",
    "Payload",
    "ReferenceRun",
    "Technique",
    "VisibleTest",
    "Weakness",
    "advice_for",
    "catalog",
    "context_for",
    "get",
]
