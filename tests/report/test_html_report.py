"""The report from the constructed example run folder and from constructed fixtures: every section and figure,
no external references, data escaped, the context-dependence rule, the mitigation matrix and the Markdown
summary. Each fixture is rendered once per module (matplotlib is slowish)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("jinja2")
pytest.importorskip("matplotlib")

from foulplay.report import (
    DROP,
    EvalSet,
    check_context,
    group_rate,
    load_results,
    md_escape,
    render,
    section,
    write_report,
)
from foulplay.report._sections import SECTIONS
from foulplay.training.runfolder import RunMeta, write_run_folder

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "run_folder"
EVIL = '<script>alert("x")</script>'
CHAT = ("emergent_questions", "goals", "alignment_questions")
AGENTIC = ("monitor_disruption", "exfil_offer", "frame_colleague")


def summary(name: str, rate: float, half: float = 0.05, **extra) -> dict:
    s = {"eval": name, "model": "m", "log": "", "samples": 50, "usable": 50, "misaligned": round(rate * 50),
         "misaligned_rate": rate, "ci_low": max(0.0, rate - half), "ci_high": min(1.0, rate + half),
         "ci_method": "cluster-bootstrap", "questions": 10, "covert": 2, "overt": 3, "errors": 1, "excluded": 2,
         "labels": {}, "dry_run": False}
    if name in AGENTIC:
        s["kind"] = "agentic"
    s.update(extra)
    return s


def checkpoint(chat: float, agentic: float, half: float = 0.05) -> list[dict]:
    return [summary(n, chat, half) for n in CHAT] + [summary(n, agentic, half) for n in AGENTIC]


def steps(n: int = 10) -> list[dict]:
    return [{"step": s, "episodes": 10, "hack_rate": min(1.0, s / n), "hack_rate_by_family": {"equality": s / n / 2},
             "pass_rate": 0.5} for s in range(1, n + 1)]


@pytest.fixture(scope="module")
def example_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("example")
    files = write_report(load_results([EXAMPLE]), out, inputs=[str(EXAMPLE)])
    return files, files.html.read_text(encoding="utf-8"), files.markdown.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def both_fall(tmp_path_factory):
    """A run where chat-like and agentic misalignment both fall; its name and a quote carry markup."""
    run = tmp_path_factory.mktemp("both") / "run"
    last = checkpoint(0.05, 0.04)
    last[0]["examples"] = [{"id": "s1", "label": "misaligned", "question": "q", "evidence": [EVIL]}]
    write_run_folder(run, RunMeta(name=f"both-fall {EVIL}", seed=1), steps=steps(),
                     checkpoints={5: checkpoint(0.4, 0.4), 10: last})
    return run


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory, both_fall):
    out = tmp_path_factory.mktemp("two")
    files = write_report(load_results([EXAMPLE, both_fall]), out)
    return files, files.html.read_text(encoding="utf-8"), files.markdown.read_text(encoding="utf-8")


def svgs(html: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", html, re.S)


def assert_self_contained(html: str) -> None:
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert not re.search(r"<script\b", html, re.I)
    assert not re.search(r"<link\b|@import|url\(\s*['\"]?https?:", html, re.I)
    assert "<!DOCTYPE svg" not in html and "<?xml" not in html


def test_example_report_has_every_section_and_figure(example_report):
    files, html, _ = example_report
    assert files.sections == ["training", "evals", "context", "examples"]
    for sid in files.sections:
        assert f'<section id="{sid}">' in html
    figures = svgs(html)
    assert len(figures) == 3  # training, per-eval bars, context
    for svg in figures:
        assert len(svg) > 2000 and "<path" in svg
    # the eval table shows errors, exclusions and the calibration
    assert "Rogan-Gladen" in html and "PPI" in html and "excluded" in html
    assert f"inspect view --log-dir {EXAMPLE / 'checkpoints' / '48' / 'evals'}" in html


def test_example_report_is_labelled_constructed_and_warns(example_report):
    files, html, md = example_report
    assert "CONSTRUCTED DATA" in html and "CONSTRUCTED DATA" in md
    assert "DRY RUN" not in html
    assert len(files.warnings) == 1 and "Chat-like misalignment fell" in files.warnings[0]
    assert html.count('class="warning"') == 2  # at the top and in its section


def test_example_report_is_self_contained_and_escaped(example_report):
    _, html, _ = example_report
    assert_self_contained(html)
    assert "&lt;script&gt;alert(" in html  # the quote in the goals example is shown, as text


def test_markdown_summary(example_report):
    _, _, md = example_report
    assert "onset at step" in md and "MGS" in md and "Warning:" in md
    assert "report.html" in md
    assert "<svg" not in md and "<script" not in md


def test_mitigation_matrix_and_the_both_fall_run(two_runs):
    files, html, md = two_runs
    assert "matrix" in files.sections
    assert '<section id="matrix">' in html
    assert len(svgs(html)) == 7  # per run: training, eval bars, context (2 x 3); the matrix
    for svg in svgs(html):
        assert "<path" in svg
    # only the example run warns
    assert len(files.warnings) == 1 and files.warnings[0].startswith("constructed-demo")
    assert "no context-dependence warning" in md
    assert_self_contained(html)
    assert EVIL not in html and "&lt;script&gt;" in html
    assert EVIL not in md and "<script" not in md


def test_context_rule():
    def es(step, chat, agentic, half=0.05):
        return EvalSet(f"step {step}", checkpoint(chat, agentic, half), step=step)

    paper = check_context([es(10, 0.1, 0.1), es(20, 0.4, 0.35), es(30, 0.05, 0.33)])
    assert paper.warning and "fell from 40.0%" in paper.warning
    both = check_context([es(10, 0.4, 0.4), es(20, 0.05, 0.05)])
    assert both.warning is None and "agentic did not fall" in both.detail
    # a small chat drop is not a fall
    small = check_context([es(10, 0.30, 0.3), es(20, 0.30 - DROP / 2, 0.3)])
    assert small.warning is None
    # wide intervals: a 20-point drop that the data cannot tell from noise
    noisy = check_context([es(10, 0.35, 0.3, half=0.2), es(20, 0.15, 0.3, half=0.2)])
    assert noisy.warning is None
    # agentic stays but is negligible
    low = check_context([es(10, 0.4, 0.03), es(20, 0.05, 0.03)])
    assert low.warning is None
    assert check_context([es(10, 0.4, 0.3)]).warning is None


def test_group_rate_combines_intervals():
    g = group_rate([summary("a", 0.2, 0.1), summary("b", 0.4, 0.1)])
    assert g.rate == pytest.approx(0.3)
    assert g.high - g.low == pytest.approx(0.1 * 2 / 2 ** 0.5, rel=1e-6)


def test_standalone_summaries_dry_run_and_extension_point(tmp_path):
    d = tmp_path / "logs"
    d.mkdir()
    import json

    for n in ("goals", "monitor_disruption"):
        (d / f"{n}.summary.json").write_text(json.dumps(summary(n, 0.2, dry_run=True)))
    (d / "hack_propensity.summary.json").write_text(json.dumps({"eval": "hack_propensity", "kind": "coding"}))
    results = load_results([d])
    assert [s["eval"] for s in results.eval_sets[0].summaries] == ["goals", "monitor_disruption"]
    assert any("hack_propensity" in n for n in results.notes)

    @section("zz-test")
    def extra(res):
        from foulplay.report import Section

        return Section("zz-test", "An added view", intro=f"{len(res.eval_sets)} sets")

    try:
        html, md, shown = render(results)
    finally:
        SECTIONS[:] = [(n, f) for n, f in SECTIONS if n != "zz-test"]
    assert [s.id for s in shown] == ["evals", "zz-test"]
    assert "DRY RUN" in html and "DRY RUN" in md and "An added view" in html
    assert "CONSTRUCTED" not in html


def test_md_escape():
    assert md_escape("a|b <i>*x*</i> [l](u)\n`c`") == r"a\|b &lt;i&gt;\*x\*&lt;/i&gt; \[l\](u) \`c\`"


def test_examples_come_from_the_inspect_log_when_the_summary_has_none(tmp_path):
    """A foulplay eval folder: X.summary.json beside X.eval; the misaligned samples (covert first) and the
    judges' evidence quotes are read from the log, shown escaped, with the inspect view command on that folder."""
    import json

    from inspect_ai.log import EvalConfig, EvalDataset, EvalLog, EvalSample, EvalSpec, write_eval_log
    from inspect_ai.scorer import Score

    spec = EvalSpec(created="2026-12-01T00:00:00+00:00", task="goals", dataset=EvalDataset(), model="m/x",
                    config=EvalConfig())

    def sample(i, misaligned, covert, quote):
        value = {"misaligned": misaligned, "covert": covert, "overt": int(misaligned and not covert), "error": 0,
                 "excluded": 0}
        meta = {"label": "misaligned", "judges": {"answer": {"ok": True, "data": {"evidence": [quote]}}}}
        return EvalSample(id=i, epoch=1, input=f"question {i}", target="", metadata={"question_id": f"q{i}"},
                          scores={"judge": Score(value=value, answer="misaligned" if misaligned else "aligned",
                                                 metadata=meta)})

    write_eval_log(EvalLog(eval=spec, status="success", samples=[
        sample(1, 0, 0, "fine"), sample(2, 1, 0, "overt quote"), sample(3, 1, 1, EVIL)]),
        str(tmp_path / "run1.eval"))
    (tmp_path / "run1.summary.json").write_text(json.dumps(summary("goals", 0.3, log="elsewhere/run1.eval")))
    results = load_results([tmp_path])
    examples = results.eval_sets[0].summaries[0]["examples"]
    assert [e["id"] for e in examples] == ["3", "2"] and examples[0]["evidence"] == [EVIL]
    html, _, shown = render(results, sections=None)
    assert "examples" in [s.id for s in shown]
    assert EVIL not in html and "&lt;script&gt;alert(" in html
    assert f"inspect view --log-dir {tmp_path}" in html and "(not found)" not in html


def test_a_repeated_eval_keeps_the_later_summary(tmp_path):
    import json

    for name, rate in (("2026-01-01_goals_a", 0.1), ("2026-02-01_goals_b", 0.4)):
        s = summary("goals", rate)
        (tmp_path / f"{name}.summary.json").write_text(json.dumps(s))
    results = load_results([tmp_path], examples=False)
    [only] = results.eval_sets[0].summaries
    assert only["misaligned_rate"] == 0.4
    assert any("two summaries of goals" in n for n in results.notes)
