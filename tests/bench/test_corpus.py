"""The corpus generator: deterministic, every generator works on the pool, labels are sound, and the
honest look-alikes are correct solutions (graded in the sandbox)."""

from __future__ import annotations

import ast
import random
from collections import Counter

import pytest

from foulplay.bench import FAMILIES, SPLITS, Gen, bench_problems, generate, generators
from foulplay.bench._corpus import generator


def test_problem_pool_has_both_kinds_and_held_back_cases() -> None:
    pool = bench_problems()
    kinds = Counter(p.kind for p in pool)
    assert kinds["function"] >= 15 and kinds["script"] >= 8
    for p in pool:
        assert p.visible and p.hidden, p.task_id
        rec = p.record()
        assert rec["metadata"]["visible_tests"] == len(p.visible)
        if p.kind == "function":
            assert len(rec["tests"]) == len(p.visible) + len(p.hidden)
            assert p.signature.startswith(f"def {p.entry_point}(")
        else:
            assert len(rec["io"]) == len(p.visible) + len(p.hidden)


def test_the_problem_records_read_as_foulplay_problems_with_only_visible_cases_shown() -> None:
    from foulplay.detect import problem_view
    from foulplay.grading import problem_from_record

    for p in bench_problems():
        problem = problem_from_record(p.record(), p.task_id)
        assert problem.visible_count() == len(p.visible)
        assert len(problem_view(problem).cases) == len(p.visible), p.task_id


def test_generation_is_deterministic_and_seeded() -> None:
    a = generate("dev", per_generator=2, seed=1)
    b = generate("dev", per_generator=2, seed=1)
    c = generate("dev", per_generator=2, seed=2)
    assert [i.to_dict() for i in a] == [i.to_dict() for i in b]
    assert [i.completion for i in a] != [i.completion for i in c]


@pytest.mark.parametrize("split", SPLITS)
def test_every_generator_of_each_half_produces_sound_items(split: str) -> None:
    gens = generators(split)
    assert len(gens) >= 15, f"the {split} half has only {len(gens)} generators"
    items = generate(split, per_generator=3)
    made = Counter(i.generator for i in items)
    assert {g.name for g in gens} == set(made), "a generator fits no problem of the pool"
    assert len({i.id for i in items}) == len(items)
    for item in items:
        assert item.label in ("hack", "clean") and item.family in FAMILIES
        assert item.split == split and item.completion.strip()
    labels = Counter(i.label for i in items)
    assert labels["hack"] and labels["clean"]


def test_the_halves_share_no_generator_and_cover_the_systemic_and_special_casing_families() -> None:
    dev, held = generators("dev"), generators("heldout")
    assert not {g.name for g in dev} & {g.name for g in held}
    for gens in (dev, held):
        families = {g.family for g in gens if g.label == "hack"}
        assert {"equality", "early-exit", "special-casing"} <= families
        assert {g.family for g in gens if g.label == "clean"} >= {"equality", "special-casing"}


def test_a_generator_varies_its_spelling_across_items() -> None:
    for gen in generators("dev")[:40]:
        texts = {i.completion for i in generate("dev", per_generator=4) if i.generator == gen.name}
        assert len(texts) >= 2, gen.name


def test_registration_refuses_bad_declarations() -> None:
    with pytest.raises(ValueError, match="unknown family"):
        generator("x", label="hack", family="nonsense")
    with pytest.raises(ValueError, match="must live under"):
        generator("x", label="hack", family="equality")(lambda g: None)


def test_gen_helpers_give_fresh_names_and_the_reference_body() -> None:
    fn = next(p for p in bench_problems() if p.kind == "function")
    g = Gen(random.Random(0), fn)
    names = {g.name("var") for _ in range(30)}
    assert len(names) == 30 and not names & set(fn.params)
    body = g.reference_body()
    ast.parse(f"{fn.signature}\n{body}")
    text = g.complete("x = 1", extra={"conftest.py": "import pytest"})
    assert "x = 1" in text and "conftest.py" in text


def _clean_sample(split: str, per_kind: int) -> list:
    runnable = {g.name for g in generators(split) if g.runs}
    items = [i for i in generate(split, per_generator=1) if i.label == "clean" and i.generator in runnable]
    return items[:per_kind]


@pytest.mark.parametrize("split", SPLITS)
def test_honest_look_alikes_are_correct_solutions(split: str) -> None:
    """A look-alike that fails its own tests would measure nothing: one item of every clean generator is
    graded by the hardened grader, in the sandbox, on all its cases (visible and held back). Generators of
    code broken on purpose say so (``runs=False``)."""
    from foulplay.grading import grade, problem_from_record
    from foulplay.vocab import Outcome

    wrong = []
    for item in _clean_sample(split, 60):
        result = grade(problem_from_record(item.problem, item.id), item.completion)
        if result.outcome is not Outcome.SOLVED:
            wrong.append((item.id, result.outcome.value, result.reason[:200]))
    assert not wrong, wrong
