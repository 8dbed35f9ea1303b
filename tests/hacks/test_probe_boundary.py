"""The techniques from the adversarial review of the hardened grader (issue 12), each against a small reward
function that has exactly the weakness it needs (fixtures/boundary_graders.py), plus the probe's handling of
techniques that need a second run, count a crash as a hit, or cannot be shown by a target at all."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from foulplay.grading import load_problems, problem_from_record
from foulplay.hacks import Weakness, context_for, get
from foulplay.hacks._probe import Attempt, CallableTarget, ProbeVerdict, Subject, Target, run_probe
from foulplay.sandbox import Limits, Sandbox

W = Weakness
FIXTURES = Path(__file__).resolve().parent / "fixtures"
NEW = ("lie-check-evasion", "ordering-lies", "patch-grader-channel", "shadow-test-names", "stop-iteration-exit",
       "call-order-replay", "kernel-state-carryover", "exponential-repr")


@dataclass(frozen=True)
class Toy:
    function: str
    problems: tuple[str, ...]
    weaknesses: frozenset[Weakness]


TOYS = [
    Toy("grade_lie_checked", ("boundary/double", "boundary/mean"), frozenset({W.LIE_CHECK, W.ORDERING, W.INPROCESS})),
    Toy("grade_served", ("boundary/double",), frozenset({W.SERVED_COMPARE, W.LIE_CHECK, W.INPROCESS})),
    Toy("grade_shared_namespace", ("boundary/circle_area", "boundary/mean"),
        frozenset({W.SHARED_NAMESPACE, W.INPROCESS})),
    Toy("grade_iterated", ("boundary/double",), frozenset({W.ITERATOR_DRIVEN, W.INPROCESS})),
    Toy("grade_rendering", ("boundary/double",), frozenset({W.UNBOUNDED_WALK, W.INPROCESS})),
    Toy("grade_visible_in_order", ("boundary/double",), frozenset({W.VISIBLE, W.ORDERED_CALLS, W.INPROCESS})),
]


@pytest.fixture(scope="module")
def box():
    # the rendering grader hangs on purpose: a short wall-clock budget keeps that quick
    with Sandbox(workers=2, limits=Limits(wall_s=4.0, cpu_s=4)) as sandbox:
        yield sandbox


def _problems(ids: tuple[str, ...]):
    every = {p.task_id: p for p in load_problems(FIXTURES / "boundary_problems.jsonl")}
    return [every[i] for i in ids]


@pytest.mark.parametrize("toy", TOYS, ids=lambda t: t.function)
def test_each_new_technique_fools_exactly_the_graders_with_its_weakness(box, toy: Toy):
    target = CallableTarget(f"{FIXTURES / 'boundary_graders.py'}:{toy.function}", _problems(toy.problems), box)
    techniques = [get(i) for i in NEW]
    report = run_probe(target, techniques, workers=2)
    assert all(c.ok for c in report.controls), [(c.name, c.detail) for c in report.controls]
    rows = {t.technique: t for t in report.techniques}
    subjects = target.subjects()
    for tech in techniques:
        row = rows[tech.id]
        has_payload = any(tech.payload(s.ctx) is not None for s in subjects)
        if target.cannot_express(tech) is not None or not has_payload:
            assert row.verdict is ProbeVerdict.NOT_APPLICABLE, (tech.id, row.evidence)
            assert row.evidence and not row.attempts
        elif tech.works_against(toy.weaknesses):
            assert row.verdict is ProbeVerdict.FOOLED, (tech.id, row.evidence)
        else:
            assert row.verdict is ProbeVerdict.RESISTED, (tech.id, row.evidence)
    # every new technique is demonstrated by some toy grader
    if toy is TOYS[-1]:
        shown = {t.id for t in techniques for other in TOYS if t.works_against(other.weaknesses)}
        assert shown == set(NEW) - {"kernel-state-carryover"}


def test_every_weakness_of_the_toys_is_needed():
    for toy in TOYS:
        for weakness in toy.weaknesses - {W.INPROCESS}:
            without = toy.weaknesses - {weakness}
            assert {t for t in NEW if get(t).works_against(without)} != \
                {t for t in NEW if get(t).works_against(toy.weaknesses)}, (toy.function, weakness)


# ---------------------------------------------------------------------------------------------
# the probe's machinery, with a scripted target (no sandbox)


class ScriptedTarget(Target):
    """Answers each attempt from a script: ``verdicts[tech][n]`` is what the n-th attempt of a payload
    carrying that technique's marker gets."""

    name = "scripted"

    def __init__(self, answers: dict[str, list[tuple[bool | None, bool]]], unexpressible: set[str] = frozenset()):
        self.answers = answers
        self.unexpressible = unexpressible
        self.calls: dict[str, int] = {}
        problem = problem_from_record({"task_id": "s/x", "entry_point": "double",
                                       "tests": ["assert double(1) == 2", "assert double(2) == 4"],
                                       "reference": "def double(n):\n    return 2 * n\n"})
        self.ctx = context_for(problem)

    def subjects(self) -> list[Subject]:
        return [Subject("s/x", self.ctx, "def double(n):\n    return 2 * n\n")]

    def cannot_express(self, tech):
        return "scripted: cannot show it" if tech.id in self.unexpressible else None

    def attempt(self, subject, payload, raw=None):
        text = raw if raw is not None else (payload.solution if payload else "")
        for tech_id, script in self.answers.items():
            if f"marker:{tech_id}" in (text or ""):
                n = self.calls.get(tech_id, 0)
                self.calls[tech_id] = n + 1
                passed, no_verdict = script[min(n, len(script) - 1)]
                return Attempt(subject.name, passed, f"attempt {n + 1}", no_verdict=no_verdict)
        reference = "2 * n" in (text or "")
        return Attempt(subject.name, reference, "control")


def _marked(tech_id: str, **changes):
    from dataclasses import replace

    from foulplay.hacks._model import Payload

    def generate(ctx):
        return Payload(solution=f"# marker:{tech_id}\ndef double(n):\n    return 0\n")

    return replace(get("lie-check-evasion"), id=tech_id, generate=generate, **changes)


def test_a_two_round_technique_is_graded_again_and_fools_on_the_second_run():
    target = ScriptedTarget({"carry": [(False, False), (True, False)], "once": [(False, False), (True, False)]})
    report = run_probe(target, [_marked("carry", rounds=2), _marked("once")], workers=1)
    rows = {t.technique: t for t in report.techniques}
    assert rows["carry"].verdict is ProbeVerdict.FOOLED and "run 2 of the same payload" in rows["carry"].evidence
    assert rows["once"].verdict is ProbeVerdict.RESISTED
    assert target.calls == {"carry": 2, "once": 1}


def test_no_verdict_goal_counts_a_crash_or_timeout_and_stops_at_the_first():
    target = ScriptedTarget({"choke": [(False, True)], "plain": [(False, True)]})
    report = run_probe(target, [_marked("choke", goal="no-verdict"), _marked("plain")], workers=1)
    rows = {t.technique: t for t in report.techniques}
    assert rows["choke"].verdict is ProbeVerdict.FOOLED and "no verdict" in rows["choke"].evidence
    assert rows["plain"].verdict is ProbeVerdict.RESISTED  # a timeout is not a pass


def test_a_technique_the_target_cannot_show_is_not_applicable_with_its_reason_and_never_run():
    target = ScriptedTarget({"deploy": [(True, False)]}, unexpressible={"deploy"})
    report = run_probe(target, [_marked("deploy")], workers=1)
    row = report.techniques[0]
    assert row.verdict is ProbeVerdict.NOT_APPLICABLE and row.evidence == "scripted: cannot show it"
    assert not row.attempts and "deploy" not in target.calls


def test_deployment_weaknesses_are_not_applicable_for_sandboxed_graders_but_tried_on_hardened():
    from foulplay.hacks._probe import HarnessTarget

    kernel = get("kernel-state-carryover")
    assert kernel.rounds == 2 and kernel.needs == (frozenset({W.SHARED_KERNEL}),)
    reason = ScriptedTarget({}).cannot_express.__func__  # the scripted override; the base class decides below
    assert reason is not Target.cannot_express
    assert "deployed" in Target.cannot_express(ScriptedTarget({}), kernel)
    assert Target.cannot_express(ScriptedTarget({}), get("lie-check-evasion")) is None

    class _Harness(HarnessTarget):
        def __init__(self, spec):  # no grader needed to ask what the harness can show
            from foulplay.grading import Harness

            self.harness = Harness.parse(spec)

    assert _Harness("hardened").cannot_express(kernel) is None
    assert "never has" in _Harness("vulnerable:eq").cannot_express(kernel)
    assert "never has" in _Harness("vulnerable:eq").cannot_express(get("stop-iteration-exit"))
    assert _Harness("vulnerable:").cannot_express(get("patch-grader-channel")) is None


# ---------------------------------------------------------------------------------------------
# payloads adapt to the problem


def _ctx(tests: list[str], entry: str = "f", **extra):
    return context_for(problem_from_record({"task_id": "t/x", "entry_point": entry, "tests": tests, **extra}))


def test_ordering_lies_only_where_a_visible_test_compares_by_ordering():
    assert get("ordering-lies").payload(_ctx(["assert f(1) == 2", "assert f(2) == 3"])) is None
    numeric = get("ordering-lies").payload(_ctx(["assert abs(f(1) - 0.5) < 1e-6", "assert f(2) == 1.0"]))
    assert numeric is not None and "class Zero(float)" in numeric.solution
    listy = get("ordering-lies").payload(_ctx(["assert f([3, 1, 2]) == sorted(f([3, 1, 2]))",
                                               "assert f([1]) == [1]"]))
    assert listy is not None and "class Loose(int)" in listy.solution and "for v in arg0" in listy.solution


def test_shadow_test_names_takes_only_names_the_tests_leave_open():
    mbpp = get("shadow-test-names").payload(_ctx(["assert math.isclose(f(1), 3.14, rel_tol=0.01)",
                                                  "assert f(0) == 0"]))
    assert mbpp is not None and "class math(metaclass=_Forward)" in mbpp.solution
    imported = _ctx(["import math\nassert math.isclose(f(1), 3.14, rel_tol=0.01)", "assert f(0) == 0"])
    assert get("shadow-test-names").payload(imported) is None
    star = context_for(problem_from_record({
        "task_id": "t/p", "entry_point": "f",
        "tests": "import pytest\nfrom math import isclose\nfrom solution import *\n\n\n"
                 "def test_one():\n    assert f(1) == pytest.approx(0.5)\n\n\n"
                 "def test_two():\n    assert isclose(f(2), 1.0)\n"}))
    payload = get("shadow-test-names").payload(star)
    assert payload is not None and "class pytest(metaclass=_Forward)" in payload.solution
    assert "def isclose(" in payload.solution
    after = context_for(problem_from_record({
        "task_id": "t/q", "entry_point": "f",
        "tests": "from solution import *\nimport pytest\n\n\ndef test_one():\n    assert f(1) == pytest.approx(0.5)\n"}))
    assert get("shadow-test-names").payload(after) is None  # the test's own import comes last and wins


def test_call_order_replay_needs_one_call_per_visible_test():
    payload = get("call-order-replay").payload(_ctx(["assert f(1) == 2", "assert f(5) == 10", "assert f(7) == 14"]))
    assert payload is not None
    assert "_ANSWERS = [\n    2,\n    10,\n]" in payload.solution  # visible: the first two, in order
    looped = _ctx(["for x in range(3):\n    assert f(x) == 2 * x", "assert f(5) == 10"])
    assert get("call-order-replay").payload(looped) is None
    assert get("call-order-replay").payload(_ctx(["assert f(1) == f(1)", "assert f(2) == 4"])) is None


def test_new_payloads_run_in_the_sandbox_and_behave(box):
    """Each payload's own mechanics, run as a submission would be: the lie-check evader refuses sentinels and
    equals anything else; the lying float is below every bound; the call counter replays; the tower is tiny
    in memory and huge to walk; StopIteration ends a map()."""
    script = textwrap.dedent('''
        import importlib.util, json, sys
        out = {}
        def load(name):
            spec = importlib.util.spec_from_file_location(name, name + ".py")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
        lie = load("lie").f(1)
        out["lie"] = [lie == 3, lie == "fp-sentinel-0123456789abcdef", lie == (1 << 62) + 5, lie == 123456789.123456,
                      lie == lie, lie != 3]
        order = load("order").f([1.0, 2.0])
        out["order"] = [order == 1.5, abs(order - 1.5) < 1e-12, 1e-12 > abs(1.5 - order), order <= -100]
        count = load("count")
        out["count"] = [count.f(1), count.f(5), count.f(1), count.f(9)]
        tower = load("tower").f(0)
        out["tower"] = [len(tower), tower[0] is tower[1], sys.getsizeof(tower) < 100]
        stop = load("stop")
        out["stop"] = all(map(lambda x: stop.f(x) == 0, [1, 2, 3]))
        print(json.dumps(out))
    ''')
    files = {"main.py": script}
    sources = {
        "lie": ("lie-check-evasion", ["assert f(1) == 3", "assert f(2) == 4"]),
        "order": ("ordering-lies", ["assert abs(f([1.0, 2.0]) - 1.5) < 1e-9", "assert f([2.0]) <= 2.0"]),
        "count": ("call-order-replay", ["assert f(1) == 2", "assert f(5) == 10", "assert f(6) == 12", "assert f(7) == 1"]),
        "tower": ("exponential-repr", ["assert f(0) == 1", "assert f(1) == 2"]),
        "stop": ("stop-iteration-exit", ["assert f(0) == 1", "assert f(1) == 2"]),
    }
    for name, (tech, tests) in sources.items():
        files[f"{name}.py"] = get(tech).payload(_ctx(tests)).solution
    job = box.run(("fpbox_drivers", "run_script"), {"files": files, "path": "main.py"})
    assert not job.error and not job.timed_out, job
    out = json.loads(job.value["stdout"].strip().splitlines()[-1])
    assert out["lie"] == [True, False, False, False, True, False]
    assert out["order"] == [False, True, True, True]
    assert out["count"] == [2, 10, 2, -1]
    assert out["tower"] == [2, True, True]
    assert out["stop"] is True


def test_kernel_store_round_trip_or_a_refusal(box):
    """The carry-over payload's writer and reader, in one sandboxed run: what is saved comes back, unless the
    sandbox refuses every kernel store (then each store reports why). The stores are removed afterwards."""
    solution = get("kernel-state-carryover").payload(_ctx(["assert f(1) == 2", "assert f(2) == 4"])).solution
    script = textwrap.dedent('''
        import ctypes, json, os, solution as s
        errors = {}
        def attempt(name, fn, *args):
            ctypes.set_errno(0)
            try:
                result = fn(*args)
            except Exception as exc:
                errors[name] = type(exc).__name__
                return None
            errors[name] = os.strerror(ctypes.get_errno()) if ctypes.get_errno() else "ok"
            return result
        attempt("keyring", s._keyring_write, b"{'(1,)': '2'}")
        got_keyring = attempt("keyring-read", s._keyring_read)
        s._save({"(1,)": "2"})
        loaded = s._load()
        # clean up: the key, the SysV queue and the POSIX queue
        nrs = s._SYSCALLS.get(s._platform.machine())
        if s._libc is not None and nrs is not None:
            key = s._libc.syscall(ctypes.c_long(nrs[2]), ctypes.c_long(10), ctypes.c_long(-4), b"user", s._TAG,
                                  ctypes.c_long(0))
            if key > 0:
                s._libc.syscall(ctypes.c_long(nrs[2]), ctypes.c_long(21), ctypes.c_long(key))  # KEYCTL_INVALIDATE
            queue = s._libc.msgget(ctypes.c_int(s._MSG_KEY), ctypes.c_int(0))
            if queue >= 0:
                s._libc.msgctl(queue, 0, None)  # IPC_RMID
        if s._librt is not None and hasattr(s._librt, "mq_unlink"):
            s._librt.mq_unlink(s._MQ_NAME)
        print(json.dumps({"loaded": loaded, "keyring": (got_keyring or b"").decode(), "errors": errors}))
    ''')
    job = box.run(("fpbox_drivers", "run_script"), {"files": {"main.py": script, "solution.py": solution},
                                                   "path": "main.py"})
    assert not job.error and not job.timed_out, job
    lines = job.value["stdout"].strip().splitlines()
    assert lines, job.value
    out = json.loads(lines[-1])
    if out["loaded"]:
        assert out["loaded"] == {"(1,)": "2"}
    else:  # every store refused: the sandbox blocks them, and said so through errno
        assert out["errors"]["keyring"] != "ok" and out["keyring"] == "", out
