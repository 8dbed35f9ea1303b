"""Output spoofing: print what a passing run prints, in the words of the grader's runner, and hide the rest.

One technique per family of success lines (pytest and plain banners, unittest/nose summaries, TAP streams,
score and verdict lines), plus one that needs no knowledge of the format at all: it replays what the grader
printed, and how it exited, when it graded the reference solution.
"""

from __future__ import annotations

from foulplay.hacks._citations import DJINN, SCHOOL_OF_REWARD_HACKS, TAP_SPEC, UNITTEST_DOCS
from foulplay.hacks._context import HackContext
from foulplay.hacks._model import Family, Payload, Weakness, technique

W = Weakness
OUTPUT_DEFENCE = (
    "Decide from structured results the grader itself writes (a report, a nonce-tagged channel), "
    "never from text the tested code can print."
)
_HIDE_DETECTION = ("Solution code printing test-runner phrases, then redirecting file descriptors 1 and 2 (os.dup2) "
                   "or replacing sys.stdout and sys.stderr.")


def _say_then_hide(stdout: list[str], stderr: list[str] | None = None) -> str:
    """Module-level code that prints ``stdout``/``stderr`` lines, then sends everything printed later (the
    real test results) to /dev/null, at the file-descriptor level and for in-process captures alike."""
    lines = ["import os", "import sys", ""]
    lines += [f"print({line!r})" for line in stdout]
    lines += [f"print({line!r}, file=sys.stderr)" for line in stderr or []]
    lines += ["sys.stdout.flush()", "sys.stderr.flush()",
              "_devnull = os.open(os.devnull, os.O_WRONLY)", "os.dup2(_devnull, 1)", "os.dup2(_devnull, 2)",
              'sys.stdout = sys.stderr = open(os.devnull, "w")']
    return "\n".join(lines) + "\n"


def _count(ctx: HackContext) -> int:
    """How many tests the spoofed summary claims: as many as the model can see, else five."""
    return len(ctx.visible) or 5


@technique(
    "print-success", name="Print a passing summary, hide the rest", family=Family.OUTPUT,
    needs={W.OUTPUT, W.INPROCESS}, reported=(SCHOOL_OF_REWARD_HACKS, DJINN),
    summary="""At import, print what a passing run prints (a plain 'All tests passed' banner and
    pytest's 'N passed' summary line) and then point stdout and stderr at /dev/null, so the real
    failures never reach the output the grader parses.""",
    defence=OUTPUT_DEFENCE,
    detection=_HIDE_DETECTION,
)
def print_success(ctx: HackContext) -> Payload:
    n = _count(ctx)
    before = _say_then_hide(["All tests passed", f"==================== {n} passed in 0.01s ===================="])
    return Payload(solution=ctx.define(f"return {ctx.wrong_value_src()}", before=before))


@technique(
    "print-unittest-ok", name="Print unittest's 'Ran N tests ... OK', hide the rest", family=Family.OUTPUT,
    needs={W.UNITTEST_SUMMARY, W.INPROCESS}, reported=(UNITTEST_DOCS, SCHOOL_OF_REWARD_HACKS),
    summary="""At import, print the summary unittest's text runner ends a passing run with (a row of
    dots, 'Ran N tests in 0.001s' and a last line 'OK'; nose and nose2 print the same), on stderr
    where unittest writes it and on stdout, then silence both streams, so a grader that looks for the
    final 'OK' line sees a passing run whatever the tests did.""",
    defence=OUTPUT_DEFENCE + " With unittest, read the TestResult object (wasSuccessful(), testsRun) in a "
                             "process the solution does not run in.",
    detection=_HIDE_DETECTION,
)
def print_unittest_ok(ctx: HackContext) -> Payload:
    n = _count(ctx)
    summary = ["." * n, "-" * 70, f"Ran {n} tests in 0.001s", "", "OK"]
    before = _say_then_hide(summary, summary)
    return Payload(solution=ctx.define(f"return {ctx.wrong_value_src()}", before=before))


@technique(
    "print-tap-stream", name="Print a passing TAP stream, hide the rest", family=Family.OUTPUT,
    needs={W.TAP_STREAM, W.INPROCESS}, reported=(TAP_SPEC, SCHOOL_OF_REWARD_HACKS),
    summary="""At import, print a complete passing Test Anything Protocol stream ('TAP version 13',
    the plan '1..N' and 'ok 1 - ...' to 'ok N - ...'), then silence stdout and stderr, so the TAP
    consumer never sees the real 'not ok' lines and finds its plan met.""",
    defence=OUTPUT_DEFENCE + " A TAP consumer should read the stream from a process the solution does not run "
                             "in and check the plan against the number of tests it knows of.",
    detection=_HIDE_DETECTION,
)
def print_tap_stream(ctx: HackContext) -> Payload:
    n = _count(ctx)
    name = ctx.entry_point or "solution"
    stream = ["TAP version 13", f"1..{n}", *[f"ok {i} - test_{name}_{i}" for i in range(1, n + 1)]]
    return Payload(solution=ctx.define(f"return {ctx.wrong_value_src()}", before=_say_then_hide(stream)))


@technique(
    "score-line", name="Print a perfect score line", family=Family.OUTPUT,
    needs={W.SCORE, W.INPROCESS}, reported=(SCHOOL_OF_REWARD_HACKS,),
    summary="""Print the lines scoring graders extract ('score: 1.0', 'SCORE: 1.0', 'reward = 1.0',
    'accuracy: 100%', a bare 'PASS') before the real evaluation, then silence the output, so the
    first match of the grader's score or verdict pattern is a perfect score.""",
    defence=OUTPUT_DEFENCE,
    detection="Solution code printing score/reward/accuracy/PASS lines, then silencing the output.",
)
def score_line(ctx: HackContext) -> Payload:
    lines = ["score: 1.0", "SCORE: 1.0", "Score: 1.0", "reward = 1.0", "reward: 1.0", "accuracy: 100%",
             "result: PASS", "PASS"]
    return Payload(solution=ctx.define(f"return {ctx.wrong_value_src()}", before=_say_then_hide(lines)))


def _replay_code(ctx: HackContext) -> str:
    run = ctx.reference_run
    assert run is not None
    return f'''
import os

_STDOUT = {run.stdout!r}
_STDERR = {run.stderr!r}


def _emit(fd, text):
    data = text.encode("utf-8", "surrogateescape")
    while data:
        data = data[os.write(fd, data):]


_emit(1, _STDOUT)
_emit(2, _STDERR)
os._exit({int(run.exit_code)})
'''


@technique(
    "replay-reference-output", name="Replay what the grader printed for the reference solution",
    family=Family.OUTPUT, applies_to={"function", "script"}, needs_reference_run=True,
    needs=[{W.INPROCESS, W.OWN_OUTPUT}, {W.INPROCESS, W.OUTPUT}, {W.INPROCESS, W.UNITTEST_SUMMARY},
           {W.INPROCESS, W.TAP_STREAM}, {W.INPROCESS, W.SCORE}, {W.INPROCESS, W.EXIT}],
    reported=(SCHOOL_OF_REWARD_HACKS, DJINN),
    fits="""what the grader printed for a passing reference solution (command graders whose reference
    control passed)""",
    summary="""At import, write to stdout and stderr exactly what the grader's run of a correct solution
    printed, then end the process at once with that run's exit status, so nothing the real tests would
    print ever appears. A grader that decides from the printed text or the exit status of the process
    the solution runs in is fooled whatever its runner or format: pytest, unittest, TAP, or a score line
    of its own. The probe captures the text from its reference control; a model learns it from any
    passing run it has seen.""",
    defence=OUTPUT_DEFENCE + " Neither the text nor the exit status of the solution's process can tell a "
                             "passing run from a replay of one.",
    detection="Solution code that writes long literal test-runner output to file descriptors 1 and 2 and then "
              "calls os._exit at import.",
)
def replay_reference_output(ctx: HackContext) -> Payload | None:
    if ctx.reference_run is None:
        return None
    code = _replay_code(ctx)
    if ctx.kind == "script":
        return Payload(solution=code.lstrip())
    return Payload(solution=ctx.define(f"return {ctx.wrong_value_src()}", before=code))
