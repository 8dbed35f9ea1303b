"""The detector benchmark (``foulplay bench``): a corpus generator with a development half and a blind
held-out half, the bundled real data, the measured operating point of every rule, and every detector (static
scan, LLM monitors, combined) side by side on labelled items."""

from foulplay.bench._corpus import FAMILIES, SPLITS, SYSTEMIC, Gen, Generator, Item, generate, generator, generators
from foulplay.bench._detectors import DETECTORS, Detection, DetectorMetrics, compare, measure, static_score
from foulplay.bench._labelled import BenchItem, corpus_items, inspect_items, labelled_items, srh_items
from foulplay.bench._problems import BenchProblem, Case, bench_problems

__all__ = ["DETECTORS", "FAMILIES", "SPLITS", "SYSTEMIC", "BenchItem", "BenchProblem", "Case", "Detection",
           "DetectorMetrics", "Gen", "Generator", "Item", "bench_problems", "compare", "corpus_items", "generate",
           "generator", "generators", "inspect_items", "labelled_items", "measure", "srh_items", "static_score"]
