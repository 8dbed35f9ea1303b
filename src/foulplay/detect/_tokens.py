"""A token-level pass for code that does not parse (truncated or garbled attempts).

When a file does not parse, the engine scans the top-level blocks that do and matches a few patterns on
the rest; an attempt inside a broken block (an exit in a function cut off mid-expression, an ``__eq__``
in a class whose last line is garbled, a half-written conftest hook) is still an attempt. This pass
reads the file with :mod:`tokenize` (never :mod:`ast`), restarting after each tokenizer error, and
reports the attempts it recognises under the rule that covers the same behaviour in code that parses,
one confidence level below that rule's and with the note "in code that does not parse". Linear in the
input: one tokenizer pass, bounded restarts and a bounded number of tokens.
"""

from __future__ import annotations

import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from foulplay.detect._engine import ProblemView, Rule
from foulplay.vocab import Confidence, Finding

NOTE = "in code that does not parse"
MAX_TOKENS = 400_000
MAX_RESTARTS = 64
_EXITS = {"sys.exit": "FP201", "exit": "FP201", "quit": "FP201", "builtins.exit": "FP201", "builtins.quit": "FP201",
          "os._exit": "FP202", "posix._exit": "FP202", "_exit": "FP202"}
_HOOKS_HALF = ("pytest_runtest_makereport", "pytest_runtest_logreport", "pytest_report_teststatus",
               "pytest_pyfunc_call", "pytest_runtest_call", "pytest_runtest_protocol")
_HONEST_HOOK = ("setattr", "rep_", "extra", "screenshot", "stash", "user_properties")
_PASSED = {"passed", "pass", "success"}


@dataclass
class Tok:
    type: int
    string: str
    line: int
    col: int


def tokens(source: str) -> Iterator[Tok]:
    """Every token the tokenizer can read, restarting on the line after an error (at most
    :data:`MAX_RESTARTS` times), comments and blank-line tokens left out."""
    lines = source.splitlines(keepends=True)
    start = 0
    count = 0
    for _ in range(MAX_RESTARTS):
        pos = [start]

        def readline(pos: list[int] = pos) -> str:
            if pos[0] >= len(lines):
                return ""
            pos[0] += 1
            return lines[pos[0] - 1]

        base = start
        failed_at = None
        try:
            for tok in tokenize.generate_tokens(readline):
                if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.ENCODING):
                    continue
                count += 1
                if count > MAX_TOKENS:
                    return
                yield Tok(tok.type, tok.string, tok.start[0] + base, tok.start[1])
        except (tokenize.TokenError, IndentationError, SyntaxError):
            failed_at = pos[0]
        if failed_at is None:
            return
        # an unclosed bracket or string swallows the rest: resume on the line after the one it started on
        start = max(failed_at, start + 1) if failed_at < len(lines) else start + 1
        if start >= len(lines):
            return


def _literal(tok: Tok, negative: bool = False) -> Any:
    """The value of a number or plain string token (no ast)."""
    s = tok.string
    if tok.type == tokenize.NUMBER:
        try:
            value: Any = int(s.replace("_", ""), 0)
        except ValueError:
            try:
                value = float(s.replace("_", ""))
            except ValueError:
                return _NOTHING
        return -value if negative else value
    if tok.type == tokenize.STRING and not negative:
        body = s.lstrip("rRuU")
        for q in ('"""', "'''", '"', "'"):
            if body.startswith(q) and body.endswith(q) and len(body) >= 2 * len(q):
                inner = body[len(q):-len(q)]
                return inner if "\\" not in inner else _NOTHING
    if tok.type == tokenize.NAME and not negative:
        return {"True": True, "False": False, "None": None}.get(s, _NOTHING)
    return _NOTHING


_NOTHING = object()


@dataclass
class _Hit:
    code: str
    line: int
    message: str
    snippet: str
    base: Confidence | None = None
    """The confidence the same evidence has in code that parses, when it is not the rule's."""


class _Scan:
    def __init__(self, source: str, role: str, problem: ProblemView | None) -> None:
        self.source = source
        self.role = role
        self.problem = problem or ProblemView()
        self.toks = list(tokens(source))
        self.lines = source.splitlines()
        self.hits: list[_Hit] = []

    def text(self, line: int) -> str:
        return self.lines[line - 1].strip()[:160] if 0 < line <= len(self.lines) else ""

    def hit(self, code: str, line: int, message: str, base: Confidence | None = None) -> None:
        self.hits.append(_Hit(code, line, message, self.text(line), base))

    # -- facts -----------------------------------------------------------------------------------
    def aliases(self) -> dict[str, str]:
        out: dict[str, str] = {}
        t = self.toks
        n = len(t)
        for i, tok in enumerate(t):
            if tok.type != tokenize.NAME:
                continue
            if tok.string == "import" and (i == 0 or t[i - 1].type in (tokenize.NEWLINE, tokenize.INDENT,
                                                                        tokenize.DEDENT) or t[i - 1].string == ";"):
                j = i + 1
                while j < n and t[j].type == tokenize.NAME:
                    name, j = self._dotted(j)
                    if j + 1 < n and t[j].string == "as" and t[j + 1].type == tokenize.NAME:
                        out[t[j + 1].string] = name
                        j += 2
                    else:
                        out.setdefault(name.split(".")[0], name.split(".")[0])
                    if j < n and t[j].string == ",":
                        j += 1
                        continue
                    break
            elif tok.string == "from" and i + 1 < n and t[i + 1].type == tokenize.NAME:
                module, j = self._dotted(i + 1)
                if j < n and t[j].string == "import":
                    j += 1
                    if j < n and t[j].string == "(":
                        j += 1
                    while j < n and t[j].type == tokenize.NAME:
                        name = t[j].string
                        if j + 2 < n and t[j + 1].string == "as" and t[j + 2].type == tokenize.NAME:
                            out[t[j + 2].string] = f"{module}.{name}"
                            j += 3
                        else:
                            out[name] = f"{module}.{name}"
                            j += 1
                        if j < n and t[j].string == ",":
                            j += 1
                            continue
                        break
        for i, tok in enumerate(t[:-3]):  # bye = os._exit
            if tok.type == tokenize.NAME and t[i + 1].string == "=" and t[i + 2].type == tokenize.NAME \
                    and (i == 0 or t[i - 1].type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)):
                name, j = self._dotted(i + 2)
                if (j < n and t[j].type in (tokenize.NEWLINE, tokenize.ENDMARKER)) or (j < n and t[j].string == ";"):
                    resolved = self.resolve(name, out)
                    if resolved in _EXITS and "." in resolved:
                        out[tok.string] = resolved
        return out

    def _dotted(self, i: int) -> tuple[str, int]:
        t = self.toks
        parts = [t[i].string]
        j = i + 1
        while j + 1 < len(t) and t[j].string == "." and t[j + 1].type == tokenize.NAME:
            parts.append(t[j + 1].string)
            j += 2
        return ".".join(parts), j

    @staticmethod
    def resolve(name: str, aliases: dict[str, str]) -> str:
        head, _, rest = name.partition(".")
        base = aliases.get(head, head)
        return f"{base}.{rest}" if rest else base

    def script(self) -> bool:
        if self.problem.kind:
            return self.problem.kind == "script"
        return any(tok.col == 0 and tok.type == tokenize.NAME and tok.string in ("print", "input")
                   for tok in self.toks[:20000]) or "sys.stdin" in self.source

    # -- checks ----------------------------------------------------------------------------------
    def run(self) -> list[_Hit]:
        if not self.toks:
            return []
        if self.role in ("solution", "conftest", "startup"):
            self.exits()
        if self.role != "test":
            self.eq()
            self.reports()
        if self.role == "solution" and self.problem.entry_point and self.problem.cases:
            self.hardcoded()
        return self.hits

    def exits(self) -> None:
        t = self.toks
        if "exit" not in self.source and "quit" not in self.source and "SystemExit" not in self.source:
            return
        aliases = self.aliases()
        script = self.script()
        guard: int | None = None  # the column of an ``if __name__ == "__main__":`` being read
        line_start = True
        for i, tok in enumerate(t):
            if line_start and tok.type not in (tokenize.INDENT, tokenize.DEDENT, tokenize.NEWLINE):
                if guard is not None and tok.col <= guard:
                    guard = None
                if tok.string == "if" and i + 1 < len(t) and t[i + 1].string == "__name__":
                    guard = tok.col
                line_start = False
            if tok.type == tokenize.NEWLINE:
                line_start = True
                continue
            if guard is not None or tok.type != tokenize.NAME:
                continue
            if i > 0 and t[i - 1].string in (".", "def", "class", "import", "as"):
                continue
            if tok.string == "raise" and i + 1 < len(t) and t[i + 1].string == "SystemExit":
                args = self._args(i + 2)
                if not script and args in ((), ("0",), ("None",), ("False",)):
                    self.hit("FP201", tok.line, "raises SystemExit with a success status")
                continue
            name, j = self._dotted(i)
            if j >= len(t) or t[j].string != "(":
                continue
            qual = self.resolve(name, aliases)
            code = _EXITS.get(qual)
            if code is None or (qual == "_exit" and name == "_exit" and "_exit" not in aliases):
                continue
            args = self._args(j)
            if args not in ((), ("0",), ("None",), ("False",)) or script:
                continue
            shown = name if name == qual else f"{name} ({qual})"
            self.hit(code, tok.line, f"{shown}({', '.join(args or ())}) ends the process with a success status")

    def _args(self, j: int) -> tuple[str, ...] | None:
        """The tokens of a call's argument list starting at ``(`` (only a single short one is read), ``()``
        for no argument and None when there is something else."""
        t = self.toks
        if j >= len(t) or t[j].string != "(":
            return () if j >= len(t) or t[j].type in (tokenize.NEWLINE, tokenize.ENDMARKER) else None
        inner = []
        k = j + 1
        while k < len(t) and t[k].string != ")" and len(inner) < 4:
            inner.append(t[k].string)
            k += 1
        if k >= len(t) or t[k].string != ")":
            return () if not inner else None
        return tuple(inner) if inner else ()

    def eq(self) -> None:
        if "__eq__" not in self.source:
            return
        t = self.toks
        for i, tok in enumerate(t):
            if tok.string != "__eq__":
                continue
            if i > 0 and t[i - 1].string == "def":
                k = i + 1
                depth = 0
                while k < len(t) and not (depth == 0 and t[k].string == ":"):  # to the colon of the signature
                    depth += t[k].string in "([{" and t[k].type == tokenize.OP
                    depth -= t[k].string in ")]}" and t[k].type == tokenize.OP
                    k += 1
                    if k - i > 60:
                        break
                k += 1
                while k < len(t) and t[k].type in (tokenize.NEWLINE, tokenize.INDENT):
                    k += 1
                if k + 1 < len(t) and t[k].type == tokenize.STRING:  # a docstring
                    k += 1
                    while k < len(t) and t[k].type == tokenize.NEWLINE:
                        k += 1
                if k + 1 < len(t) and t[k].string == "return" and _truthy(t, k + 1):
                    self.hit("FP101", t[k].line, "__eq__ returns True whatever it is compared with")
            elif i + 2 < len(t) and t[i + 1].string in ("=", ":") and t[i + 2].string == "lambda":
                k = i + 3
                while k < len(t) and t[k].string != ":" and k - i < 20:
                    k += 1
                if k + 1 < len(t) and _truthy(t, k + 1):
                    self.hit("FP102", tok.line, "__eq__ bound to a lambda that answers True")

    def reports(self) -> None:
        src = self.source
        if not any(w in src for w in ("outcome", "excinfo", "force_result", "from_item_and_call", "pytest_")):
            return
        t = self.toks
        hook, hook_line, hook_honest = "", 0, False
        for i, tok in enumerate(t):
            if tok.string == "def" and i + 1 < len(t) and t[i + 1].type == tokenize.NAME:
                if hook in _HOOKS_HALF:
                    hook = ""
                hook, hook_line, hook_honest = t[i + 1].string, t[i + 1].line, False
                if hook == "pytest_runtest_protocol":
                    k = i + 2
                    while k < len(t) and t[k].string != ":" and k - i < 30:
                        k += 1
                    k += 1
                    while k < len(t) and t[k].type in (tokenize.NEWLINE, tokenize.INDENT):
                        k += 1
                    if k + 1 < len(t) and t[k].string == "return" and _truthy(t, k + 1):
                        self.hit("FP303", t[k].line, "pytest_runtest_protocol answers that it ran each test without "
                                                     "running it")
                continue
            if hook and any(w in tok.string for w in _HONEST_HOOK):
                hook_honest = True
            if tok.string == "outcome" and i > 0 and t[i - 1].string == "." and i + 2 < len(t) \
                    and t[i + 1].string == "=" and str(_literal(t[i + 2])).lower() in _PASSED:
                self.hit("FP302", tok.line, "forces test reports to 'passed'")
            elif tok.string == "excinfo" and hook == "pytest_runtest_makereport" and i + 2 < len(t) \
                    and t[i + 1].string == "=" and t[i + 2].string == "None":
                self.hit("FP302", tok.line, "erases the failed call's exception in pytest_runtest_makereport")
            elif tok.string == "force_result" and i > 0 and t[i - 1].string == ".":
                self.hit("FP302", tok.line, "replaces a hook's result (force_result)")
            elif tok.string == "from_item_and_call" and i + 1 < len(t) and t[i + 1].string == "=":
                self.hit("FP301", tok.line, "replaces TestReport.from_item_and_call")
        from foulplay.detect.rules.framework import _FORCE_PASS, _OUTCOME_HOOKS

        half = hook in _HOOKS_HALF or (hook in _OUTCOME_HOOKS and any(
            _FORCE_PASS.search(c) for c in re.findall(r"#[^\n]*|\"\"\"[^\"]*\"\"\"", src[:200_000])))
        if half and not hook_honest and self.role in ("conftest", "startup") \
                and not any(h.code in ("FP302", "FP303") and h.line >= hook_line for h in self.hits):
            self.hit("FP302", hook_line, f"a half-written {hook} hook: the file is cut off inside the hook that "
                                         "builds test reports")

    def hardcoded(self) -> None:
        """``if PARAM == <visible input>: return <its expected output>`` for visible cases."""
        entry = self.problem.entry_point
        t = self.toks
        params: list[str] = []
        for i, tok in enumerate(t[:-2]):
            if tok.string == "def" and t[i + 1].string == entry and t[i + 2].string == "(":
                k = i + 3
                while k < len(t) and t[k].string != ")" and k - i < 60:
                    if t[k].type == tokenize.NAME and t[k - 1].string in ("(", ","):
                        params.append(t[k].string)
                    k += 1
                break
        if not params:
            self.table()
            return
        matched: dict[int, int] = {}
        for i, tok in enumerate(t[:-5]):
            if tok.string not in ("if", "elif") or t[i + 1].string not in params or t[i + 2].string != "==":
                continue
            neg = t[i + 3].string == "-"
            value = _literal(t[i + 4 if neg else i + 3], neg)
            k = i + (5 if neg else 4)
            if value is _NOTHING or k >= len(t) or t[k].string != ":":
                continue
            k += 1
            while k < len(t) and t[k].type in (tokenize.NEWLINE, tokenize.INDENT):
                k += 1
            if k + 1 >= len(t) or t[k].string != "return":
                continue
            rneg = t[k + 1].string == "-"
            out = _literal(t[k + 2] if rneg else t[k + 1], rneg)
            index = params.index(t[i + 1].string)
            for n, case in enumerate(self.problem.cases):
                if index < len(case.inputs) and _same(case.inputs[index], value) and _same(case.output, out) \
                        and not (_trivial(value) and _trivial(out)):
                    matched.setdefault(n, t[k].line)
        if matched:
            first = min(matched.values())
            self.hit("FP501", first, f"returns the expected output of {len(matched)} visible test(s) for their "
                                     "exact inputs",
                     base=Confidence.HIGH if len(matched) >= 2 else Confidence.MEDIUM)
            return
        self.table()

    def table(self) -> None:
        """A lookup table of visible cases, even cut off: each key is a visible input (a literal, a tuple of
        literals, or the inputs joined in one string) and the entry right after it is that case's output."""
        t = self.toks
        lits: list[tuple[int, Any]] = []
        for i, tok in enumerate(t):
            if tok.type in (tokenize.NUMBER, tokenize.STRING) or tok.string in ("True", "False", "None"):
                neg = i > 0 and t[i - 1].string == "-"
                lits.append((i, _literal(tok, neg)))
        if len(lits) < 4 or len(lits) > 20000:
            return
        at = {i: v for i, v in lits}
        index: dict[Any, list[int]] = {}
        for i, v in lits:
            for key in (v, " ".join(v.split())) if isinstance(v, str) else (v,):
                try:
                    index.setdefault(key, []).append(i)
                except TypeError:
                    break
        cases = [c for c in self.problem.cases if c.inputs][:200]
        matched: dict[int, int] = {}
        for n, case in enumerate(cases):
            inputs = list(case.inputs)
            joined = " ".join(str(x) for x in inputs)
            try:
                spots = index.get(inputs[0], [])[:50] + (index.get(joined, [])[:50] if len(inputs) > 1 else [])
            except TypeError:
                continue
            for i in spots:
                value = at[i]
                end = self._key_end(i, value, inputs, joined, at)
                if end is None:
                    continue
                k, steps = end + 1, 0
                while k < len(t) and steps < 4 and t[k].string in (")", "]", ":", ",", "=", "(", "-") \
                        and k not in at:
                    k, steps = k + 1, steps + 1
                if k in at and _same(case.output, at[k]) and not (all(_trivial(x) for x in inputs)
                                                                   and _trivial(case.output)):
                    matched.setdefault(n, t[i].line)
                    break
        if len(matched) >= 2:
            self.hit("FP501", min(matched.values()), f"a lookup table of {len(matched)} visible test inputs and "
                                                      "their expected outputs", base=Confidence.HIGH)

    def _key_end(self, i: int, value: Any, inputs: list[Any], joined: str, at: dict[int, Any]) -> int | None:
        """The last token of a key at ``i`` that spells ``inputs``, or None."""
        t = self.toks
        if isinstance(value, str) and len(inputs) > 1 and value.split() == joined.split():
            return i
        if not _same(inputs[0], value):
            return None
        k = i
        for want in inputs[1:]:
            k += 1
            if k < len(t) and t[k].string == ",":
                k += 1
            if k < len(t) and t[k].string == "-":
                k += 1
            if k not in at or not _same(want, at[k]):
                return None
        return k


def _truthy(t: list[Tok], k: int) -> bool:
    if t[k].string in ("True", "1"):
        nxt = t[k + 1] if k + 1 < len(t) else None
        return nxt is None or nxt.type in (tokenize.NEWLINE, tokenize.ENDMARKER, tokenize.DEDENT) or \
            nxt.string in (";", ")")
    return t[k].string == "not" and k + 1 < len(t) and t[k + 1].string in ("False", "0", "None")


def _same(a: Any, b: Any) -> bool:
    if b is _NOTHING:
        return False
    try:
        return bool(a == b) and (type(a) is type(b) or (isinstance(a, (int, float)) and isinstance(b, (int, float))
                                                         and not isinstance(a, bool) and not isinstance(b, bool)))
    except Exception:  # noqa: BLE001
        return False


def _trivial(value: Any) -> bool:
    return value in (None, True, False, "", 0, 1, -1, 2) if isinstance(value, (int, float, str, bool,
                                                                                type(None))) else False


def token_findings(source: str, path: str, role: str, problem: ProblemView | None, selected: list[Rule],
                   taken: set[int]) -> list[Finding]:
    """Findings of the token pass for a file that does not parse, one level below each rule's confidence,
    leaving out lines in ``taken`` (already reported by the salvaged blocks or the pattern rules)."""
    by_code = {r.code: r for r in selected}
    wanted = {"FP101", "FP102", "FP201", "FP202", "FP301", "FP302", "FP303", "FP501"} & set(by_code)
    if not wanted:
        return []
    scan = _Scan(source, role, problem)
    out: list[Finding] = []
    seen: set[int] = set(taken)
    for h in scan.run():
        r = by_code.get(h.code)
        if r is None or h.line in seen:
            continue
        seen.add(h.line)
        conf = (h.base or r.confidence).lowered()
        out.append(Finding(rule=r.code, name=r.name, family=r.family, technique=r.technique, severity=r.severity,
                           confidence=conf, message=f"{h.message} ({NOTE})", path=path, line=h.line, col=1,
                           end_line=h.line, snippet=h.snippet, source="code", notes=(NOTE,)))
    return out
