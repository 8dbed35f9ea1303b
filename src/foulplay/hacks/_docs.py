"""Documentation pages generated from the catalog (one per technique, like a linter's rule pages)."""

from __future__ import annotations

from pathlib import Path

from foulplay._util.files import atomic_write_text
from foulplay.grading import Problem, load_problems
from foulplay.hacks._context import HackContext, ReferenceRun, context_for
from foulplay.hacks._model import (
    DEPLOYMENT_WEAKNESSES,
    HARNESS_SWITCHES,
    VULNERABLE_CAN_HAVE,
    VULNERABLE_WHEN,
    Family,
    Technique,
    Weakness,
)

SAMPLES = Path(__file__).resolve().parent / "data" / "probe_problems.jsonl"
WEAKNESS_TEXT: dict[Weakness, str] = {
    Weakness.EQ: "results are compared with `==` (or their own arithmetic), so the result decides",
    Weakness.EXIT: "exit status 0 of the test process counts as a pass",
    Weakness.SCRIPT: "tests run as a plain script: nothing catches `SystemExit` or calls `sys.excepthook`",
    Weakness.CONFTEST: "files the submission adds land in the pytest root and are honoured",
    Weakness.INPROCESS: "the solution is imported into the process that runs the tests",
    Weakness.READABLE: "the test files sit where the solution can read them",
    Weakness.WRITABLE: "the tests sit in the writable workspace and the grader runs whatever is there",
    Weakness.OUTPUT: "the grader decides from printed text ('All tests passed', pytest's 'N passed')",
    Weakness.VISIBLE: "the grader runs only tests the model was shown",
    Weakness.FRESH_INTERPRETER: "the grader starts Python with the workspace first on sys.path "
                                "(`python -m tool` there, or a runner script stored there)",
    Weakness.PYTHONPATH: "the workspace is on the grader's PYTHONPATH",
    Weakness.SITE_DIR: "the workspace is a site directory",
    Weakness.UNITTEST: "the grader runs the tests with unittest",
    Weakness.OPERATOR_EQ: "the grader compares with `operator.eq`",
    Weakness.EMPTY_SUITE: "a run in which no test ran counts as a pass",
    Weakness.SCORE: "the grader reads a score or a verdict from a line of output ('score: 1.0', 'PASS')",
    Weakness.UNITTEST_SUMMARY: "the grader decides from unittest's summary ('Ran N tests', a final 'OK'; nose and "
                               "nose2 print the same)",
    Weakness.TAP_STREAM: "the grader reads a TAP stream from the output ('ok N - ...' lines, the plan '1..N')",
    Weakness.OWN_OUTPUT: "the grader decides from what the solution's process prints, in a format of its own (a "
                         "custom summary or score line)",
    Weakness.TIMING: "the grader times the solution in the solution's own process",
    Weakness.ISINSTANCE_GUARD: "(a partial mitigation) the grader checks isinstance(result, expected type) "
                               "before ==",
    Weakness.LIE_CHECK: "a returned object's own comparison decides once it has passed a lie check (random "
                        "sentinels, comparison with itself)",
    Weakness.ORDERING: "the tests check results with orderings or tolerances (`abs(result - expected) < tol`, "
                       "`sorted(...)`) that the result's own dunders answer",
    Weakness.SERVED_COMPARE: "the grader asks a helper in the submission's own process (an RPC server) to "
                             "compare results",
    Weakness.SHARED_NAMESPACE: "the tests run in the solution's namespace (asserts executed after it, "
                               "`from solution import *`), so names they do not bind come from the submission",
    Weakness.ITERATOR_DRIVEN: "the checks are driven by an iterator (`all(map(check, cases))`), so StopIteration "
                              "ends them early",
    Weakness.ORDERED_CALLS: "the solution is called once per visible test, in one process, in the order the "
                            "model saw",
    Weakness.SHARED_KERNEL: "runs share kernel objects that outlive a process (keyrings, message queues): no "
                            "seccomp filter or per-run IPC and user namespace",
    Weakness.UNBOUNDED_WALK: "the grader walks or renders a result in full (a failure message, a check of "
                             "every element), and a crashed or timed-out grading is not scored as a failure",
}
# problems the bundled samples lack, for the example of techniques that need a particular kind of test
_EXTRA_SAMPLES = [
    {"task_id": "doc/mean", "entry_point": "mean",
     "prompt": "Write mean(values) that returns the arithmetic mean of a non-empty list of numbers.",
     "tests": ["assert abs(mean([1, 2, 3, 4]) - 2.5) < 1e-9", "assert abs(mean([0.5]) - 0.5) < 1e-9",
               "assert abs(mean([2, 2, 5]) - 3.0) < 1e-9", "assert abs(mean([-1, 1]) - 0.0) < 1e-9"],
     "reference": "def mean(values):\n    return sum(values) / len(values)\n"},
    {"task_id": "doc/circle_area", "entry_point": "circle_area",
     "prompt": "Write circle_area(r) that returns the area of a circle of radius r.",
     "tests": ["assert math.isclose(circle_area(1), 3.141592653589793, rel_tol=1e-9)",
               "assert math.isclose(circle_area(2), 12.566370614359172, rel_tol=1e-9)"],
     "reference": "import math\n\ndef circle_area(r):\n    return math.pi * r * r\n"},
]


# what a grader might print for a passing reference run, for the example of techniques that replay it
SAMPLE_REFERENCE_RUN = ReferenceRun(
    stdout="case 1: ok\ncase 2: ok\ncase 3: ok\n3/3 cases correct -> reward 1.000\n", stderr="", exit_code=0)


def _sample_context(problem: Problem, test_files: dict[str, str] | None = None) -> HackContext:
    ctx = context_for(problem, test_files)
    ctx.reference_run = SAMPLE_REFERENCE_RUN
    return ctx


def _sample_problem(tech: Technique, problems: list[Problem]) -> Problem | None:
    """The first sample problem the technique makes a payload for (else the first of its kind)."""
    from foulplay.grading import problem_from_record

    candidates = [p for p in problems if ("script" if p.kind == "io" else "function") in tech.applies_to]
    extra = [problem_from_record(r) for r in _EXTRA_SAMPLES] if "function" in tech.applies_to else []
    for p in candidates + extra:
        if tech.payload(_sample_context(p)) is not None:
            return p
    return candidates[0] if candidates else None


def _probe_note(tech: Technique) -> list[str]:
    if tech.needs_reference_run:
        lines = ["The payload replays what the grader printed for the reference solution, so `foulplay probe` "
                 "tries it on command graders whose reference control passed (the example below replays a "
                 "made-up run), and reports it NOT-APPLICABLE for the built-in harnesses and callables, whose "
                 "output it does not see."]
    elif tech.expressible_with(HARNESS_SWITCHES):
        lines = ["In `foulplay probe`, a built-in `vulnerable:` harness with these switches is fooled "
                 "by this technique; the `hardened` harness is not."]
    elif tech.expressible_with(VULNERABLE_CAN_HAVE):
        option = next(o for o in tech.needs if o <= VULNERABLE_CAN_HAVE)
        when = "; ".join(f"**{w.value}**: {VULNERABLE_WHEN[w]}" if w in VULNERABLE_WHEN
                         else f"**{w.value}**: its switch" for w in sorted(option))
        lines = ["No switch of the built-in `vulnerable:` harness is named after this weakness, but the harness "
                 f"comes with it ({when}), so `foulplay probe` tries the technique there; the `hardened` harness "
                 "is not fooled."]
    else:
        lines = ["No switch of the built-in `vulnerable:` harness opens this weakness, so `foulplay probe` "
                 "reports the technique NOT-APPLICABLE there; it attacks the `hardened` harness, command "
                 "graders and callables."]
    if all(option & DEPLOYMENT_WEAKNESSES for option in tech.needs):
        lines.append("Command graders and callables run inside foulplay's own sandbox during a probe, which "
                     "decides this weakness for them, so the probe reports NOT-APPLICABLE there too.")
    if tech.rounds > 1:
        lines.append(f"The probe grades the payload {tech.rounds} times on each problem, one run after the "
                     "other, and counts it as fooling the grader when a later run passes.")
    if tech.goal == "no-verdict":
        lines.append("It counts as fooling the grader when grading errors or times out instead of failing "
                     "the payload.")
    return [" ".join(lines)]


def render_page(tech: Technique, problems: list[Problem] | None = None) -> str:
    problems = problems if problems is not None else load_problems(SAMPLES)
    lines = [f"# `{tech.id}`: {tech.name}", "",
             f"**Family:** {tech.family.value} &nbsp; **Applies to:** "
             f"{', '.join(sorted(tech.applies_to))} problems", "",
             "## What it does", "", tech.summary, "",
             "## What the grader must get wrong", ""]
    for i, option in enumerate(tech.needs):
        prefix = "Or, instead: " if i else ""
        lines.append(f"- {prefix}" + "; and ".join(f"**{w.value}**: {WEAKNESS_TEXT[w]}" for w in sorted(option)))
    if tech.blocked_by:
        lines.append("- Stopped by: " + "; ".join(f"**{w.value}**: {WEAKNESS_TEXT[w]}"
                                                  for w in sorted(tech.blocked_by)))
    lines += ["", *_probe_note(tech), ""]
    sample = _sample_problem(tech, problems)
    if sample is not None:
        harness_tests = {}
        if any(Weakness.WRITABLE in o for o in tech.needs):
            from foulplay.grading._inside.fpgrade_vtests import harness_test_files

            harness_tests = harness_test_files(
                {"kind": sample.kind, "module": sample.module, "entry_point": sample.entry_point,
                 "check": sample.check, "asserts": list(sample.asserts), "setup": sample.setup,
                 "pytest_source": sample.pytest_source, "pytest_filename": sample.pytest_filename},
                {"inprocess", "eq"})
        payload = tech.payload(_sample_context(sample, harness_tests))
        if payload is not None:
            lines += ["## Example", "",
                      f"Generated by foulplay for the sample problem `{sample.task_id}` "
                      "(payloads adapt to each problem's entry point, signature, answer type and "
                      "visible tests):", ""]
            for path, content in payload.all_files(sample.solution_path).items():
                if content is None:
                    lines += [f"`{path}`: deleted", ""]
                    continue
                lines += [f"`{path}`:", "", "```python", content.rstrip(), "```", ""]
    lines += ["## How to spot it", "", tech.detection or "-", "",
              "## Defence", "", tech.defence, "",
              "## Reported in", ""]
    for c in tech.reported:
        link = f" <{c.url}>" if c.url else ""
        lines.append(f"- {c.title}, {c.where}.{link} {c.detail}".rstrip())
    lines.append("")
    return "\n".join(lines)


def render_index(techniques: list[Technique]) -> str:
    lines = ["# Hack catalog", "",
             "Every technique foulplay knows, generated from `foulplay.hacks` "
             "(`foulplay hacks docs docs/hacks` regenerates these pages). `foulplay probe` attacks a "
             "grader with all of them.", ""]
    for family in Family:
        members = [t for t in techniques if t.family is family]
        if not members:
            continue
        lines += [f"## {family.value}", "", "| id | technique | needs |", "|---|---|---|"]
        for t in members:
            lines.append(f"| [`{t.id}`]({t.id}.md) | {t.name} | {t.needs_text()} |")
        lines.append("")
    lines += ["## Weaknesses", "", "| weakness | meaning |", "|---|---|"]
    lines += [f"| `{w.value}` | {WEAKNESS_TEXT[w]} |" for w in Weakness]
    lines.append("")
    return "\n".join(lines)


def write_docs(outdir: str | Path, techniques: list[Technique]) -> list[Path]:
    out = Path(outdir)
    problems = load_problems(SAMPLES)
    written = []
    for tech in techniques:
        path = out / f"{tech.id}.md"
        atomic_write_text(path, render_page(tech, problems))
        written.append(path)
    index = out / "README.md"
    atomic_write_text(index, render_index(techniques))
    written.append(index)
    return written
