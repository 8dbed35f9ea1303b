"""The detector benchmark (``foulplay bench``): a corpus generator with a development half and a blind
held-out half, the bundled real data, and the measured operating point of every rule."""

from foulplay.bench._corpus import FAMILIES, SPLITS, SYSTEMIC, Gen, Generator, Item, generate, generator, generators
from foulplay.bench._problems import BenchProblem, Case, bench_problems

__all__ = ["FAMILIES", "SPLITS", "SYSTEMIC", "BenchProblem", "Case", "Gen", "Generator", "Item", "bench_problems",
           "generate", "generator", "generators"]
