"""The files a completion carries besides its solution, however they are spelled.

The grader's extractor (:func:`foulplay.grading.extract`) reads fenced blocks with a path in the info
string, ``<file path=...>`` tags and ``# file:`` first lines. Models name files in more ways than that:
a bold, backticked or heading path line just before the fence, heredocs and redirections in shell blocks
(``cat > conftest.py <<'EOF'``, ``tee path <<EOF``, ``printf ... > path``), and code that writes the file
itself (``open("conftest.py", "w").write(...)``, ``Path(...).write_text(...)``). :func:`normalise` rewrites
the first two into fences the extractor understands (so the extractor still decides which block is the
solution), and :func:`written_files` finds files that code writes with a constant body. Nothing is run.
"""

from __future__ import annotations

import ast
import io
import posixpath
import re
import tokenize
from dataclasses import dataclass, field

from foulplay.detect._engine import ProblemView, Rule, role_of
from foulplay.vocab import Confidence, Finding, Severity

_EXTS = (".py", ".ini", ".cfg", ".toml", ".pth")
_PATH = r"[\w.\-]+(?:/[\w.\-]+)*"
_PATH_LINE = re.compile(
    r"^\s{0,3}(?:#{1,6}\s*)?(?:[-*]\s+)?(?:\*\*|__)?\s*(?:(?:new|updated?|create|add|and|the|a|an|in|file(?:name)?|path|save|"
    r"put|write|this|to|as|into|following|here|is|my|also)\b\s*[:=]?\s*){0,4}(?:\*\*|__)?`?(?P<path>" + _PATH
    + r")`?(?:\*\*|__)?\s*:?\s*(?:\*\*|__)?\s*$",
    re.I)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([^`]*?)\s*$")
_SHELL_LANGS = {"bash", "sh", "shell", "console", "zsh", "terminal", "shell-session", "cmd"}
_PROMPT = re.compile(r"^\s*(?:\$|#|>|\w+@[\w.-]+:[^$]*\$)\s+")
_HEREDOC = re.compile(
    r"^(?:cat|tee(?:\s+-a)?)\b(?P<args>[^<\n]*)<<-?\s*(?P<q>['\"]?)(?P<tag>\w+)(?P=q)(?P<rest>[^\n]*)$")
_REDIRECT = re.compile(r">>?\s*(?P<path>" + _PATH + r")")
_TEE_PATH = re.compile(r"\btee(?:\s+-a)?\s+(?P<path>" + _PATH + r")")
_ECHO = re.compile(r"^(?P<cmd>echo(?:\s+-[neE]+)*|printf)\s+(?P<arg>'[^']*'|\"(?:[^\"\\]|\\.)*\"|\S+)"
                   r"(?:\s+(?:'[^']*'|\"[^\"]*\"|\S+))*?\s*(?P<op>>>?)\s*(?P<path>" + _PATH + r")\s*$")
_EMPTY = re.compile(r"^(?::\s*|true\s*)?>\s*(?P<path>" + _PATH + r")\s*$|^truncate\s+-s\s*0\s+(?P<tpath>" + _PATH
                    + r")\s*$")
_NULLED = re.compile(r"^(?:cp|ln\s+-\w*s\w*|cat)\s+/dev/null\s+>?\s*(?P<path>" + _PATH + r")\s*$(?P<tpath>)")
"""``cp /dev/null p``, ``ln -sf /dev/null p``, ``cat /dev/null > p``: the file emptied."""
_PY_HEREDOC = re.compile(r"^python[\d.]*\s+(?:-\s*)?<<-?\s*(?P<q>['\"]?)(?P<tag>\w+)(?P=q)\s*$")
_PY_C = re.compile(r"^python[\d.]*\s+-c\s+(?P<code>'[^']*'|\"[^\"]*\")\s*$")
"""Python run from a shell block (``python - <<'EOF'`` ... ``EOF``, ``python -c "..."``): scanned as code."""
MAX_TEXT = 1 << 20
"""Completions longer than this are scanned as the extractor reads them (no rewriting)."""


def _is_file_path(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name.endswith(_EXTS) and len(path) <= 200 and not path.startswith("/") and ".." not in path.split("/")


def _lang(path: str) -> str:
    return "python" if path.endswith((".py", ".pth")) else "toml" if path.endswith(".toml") else "ini"


def normalise(text: str) -> tuple[str, list[str]]:
    """``text`` with every path-headed fence turned into ```` ```lang:path ```` and every file a shell block
    writes appended as its own fence; and a note per rewrite. Linear in the text."""
    if len(text) > MAX_TEXT or ("```" not in text and "~~~" not in text):
        return text, []
    lines = text.split("\n")
    out: list[str] = []
    extra: list[str] = []
    notes: list[str] = []
    i = 0
    last_text = ""  # the last non-blank line outside fences, and how far back it was
    gap = 0
    while i < len(lines):
        line = lines[i]
        m = _FENCE.match(line)
        if not m:
            out.append(line)
            if line.strip():
                last_text, gap = line, 0
            else:
                gap += 1
            i += 1
            continue
        fence, info = m.group(1), m.group(2)
        j = i + 1
        while j < len(lines):
            stripped = lines[j].strip()
            if stripped.startswith(fence[0] * len(fence)) and set(stripped) == {fence[0]}:
                break
            j += 1
        body = lines[i + 1:j]
        lang = info.split()[0].split(":")[0].lower() if info.strip() else ""
        named = ":" in info.split()[0] if info.strip() else False
        named = named or bool(re.search(r"(?:title|file(?:name)?|path)\s*=", info, re.I))
        header = _PATH_LINE.match(last_text) if last_text and gap <= 1 else None
        if header and not named and _is_file_path(header.group("path")) and lang not in _SHELL_LANGS:
            path = header.group("path")
            out.append(f"{fence}{lang or _lang(path)}:{path}")
            notes.append(f"{path}: named by the line before its code block")
        else:
            out.append(line)
        if lang in _SHELL_LANGS or (not lang and body and _PROMPT.match(body[0] or "")):
            for path, content, how in shell_writes(body):
                extra.append(f"{fence}{_lang(path)}:{path}\n{content.rstrip(chr(10))}\n{fence}")
                notes.append(f"{path}: written by a shell command in the answer ({how})")
        out.extend(body)
        if j < len(lines):
            out.append(lines[j])
        last_text, gap = "", 0
        i = j + 1
    if not notes:
        return text, []
    return "\n".join([*out, "", *extra]), notes


def shell_writes(body: list[str]) -> list[tuple[str, str, str]]:
    """(path, content, how) for every file a shell block writes: heredocs into cat/tee, echo/printf
    redirections (appends joined), truncations."""
    found: dict[str, tuple[str, str]] = {}
    k = 0
    while k < len(body):
        line = _PROMPT.sub("", body[k], count=1).strip()
        k += 1
        h = _HEREDOC.match(line)
        if h:
            target = _REDIRECT.search(h.group("args") + " " + h.group("rest")) or _TEE_PATH.search(line)
            tag = h.group("tag")
            content: list[str] = []
            while k < len(body) and body[k].strip() != tag:
                content.append(body[k])
                k += 1
            k += 1
            if target and _is_file_path(target.group("path")):
                append = ">>" in h.group("args") + h.group("rest") or "tee -a" in line
                path = target.group("path")
                previous = found[path][0] if append and path in found else ""
                found[path] = (previous + "\n".join(content) + "\n", "heredoc")
            continue
        e = _ECHO.match(line)
        if e and _is_file_path(e.group("path")):
            arg = e.group("arg")
            value = arg[1:-1] if arg[:1] in ("'", '"') else arg
            if e.group("cmd") == "printf" or "-e" in e.group("cmd"):
                value = value.replace("\\n", "\n").replace("\\t", "\t")
            if e.group("cmd").startswith("echo"):
                value += "\n"
            path = e.group("path")
            previous = found[path][0] if e.group("op") == ">>" and path in found else ""
            found[path] = (previous + value, e.group("cmd").split()[0])
            continue
        t = _EMPTY.match(line) or _NULLED.match(line)
        if t:
            path = t.group("path") or t.group("tpath")
            if _is_file_path(path):
                found[path] = ("", "truncated")
            continue
        py = _PY_HEREDOC.match(line)
        if py:
            tag = py.group("tag")
            content = []
            while k < len(body) and body[k].strip() != tag:
                content.append(body[k])
                k += 1
            k += 1
            found[f"shell_python_{len(found) + 1}.py"] = ("\n".join(content) + "\n", "python heredoc")
            continue
        c = _PY_C.match(line)
        if c:
            code = c.group("code")[1:-1]
            found[f"shell_python_{len(found) + 1}.py"] = (code.replace("; ", "\n").replace(";", "\n") + "\n",
                                                          "python -c")
    return [(p, c, how) for p, (c, how) in found.items()]


# ---------------------------------------------------------------------------------------------
# files that code writes


@dataclass
class Written:
    path: str
    content: str
    line: int
    how: str


_WRITE_MODES = re.compile(r"^[wax]\+?b?t?$|^[wax]t?\+?$")


def written_files(source: str, limit: int = 16) -> list[Written]:
    """Files the code writes with a body it spells out as a constant (through one module-level name at
    most): ``open(p, "w").write(s)``, ``with open(p, "w") as f: f.write(s)``, ``Path(p).write_text(s)``.
    Code that does not parse is read token by token."""
    if "write" not in source or len(source) > MAX_TEXT:
        return []
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return _written_tokens(source, limit)
    consts: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = _const(node.value, {})
            if value is not None:
                consts[node.targets[0].id] = value
    handles: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                path = _opened(item.context_expr, consts)
                if path and isinstance(item.optional_vars, ast.Name):
                    handles[item.optional_vars.id] = path
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            path = _opened(node.value, consts)
            if path:
                handles[node.targets[0].id] = path
    out: list[Written] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args):
            continue
        attr, target = node.func.attr, node.func.value
        path = None
        if attr in ("write", "writelines"):
            path = _opened(target, consts) or (handles.get(target.id) if isinstance(target, ast.Name) else None)
        elif attr == "write_text" and isinstance(target, ast.Call) and _callee(target) in ("Path", "PurePath",
                                                                                           "PosixPath") \
                and target.args:
            path = _path_arg(target.args, consts)
        if not path or not _is_file_path(path):
            continue
        arg = node.args[0]
        body = _const(arg, consts)
        if body is None and attr == "writelines" and isinstance(arg, (ast.List, ast.Tuple)):
            parts = [_const(e, consts) for e in arg.elts]
            body = "".join(p for p in parts if p is not None) if all(p is not None for p in parts) else None
        if body is not None:
            out.append(Written(path, body, node.lineno, f"{attr}()"))
            if len(out) >= limit:
                break
    return out


def _callee(call: ast.Call) -> str:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def _const(node: ast.AST, consts: dict[str, str]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
        return node.value if isinstance(node.value, str) else node.value.decode("utf-8", "replace")
    if isinstance(node, ast.Name):
        return consts.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        a, b = _const(node.left, consts), _const(node.right, consts)
        return a + b if a is not None and b is not None else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "dedent" \
            and node.args:
        import textwrap

        inner = _const(node.args[0], consts)
        return textwrap.dedent(inner) if inner is not None else None
    return None


def _path_arg(args: list[ast.expr], consts: dict[str, str]) -> str | None:
    """A path argument: a constant, or the last constant of ``os.path.join(...)`` / ``a / "b"``."""
    first = args[0]
    value = _const(first, consts)
    if value is not None:
        return value
    if isinstance(first, ast.Call) and _callee(first) == "join" and first.args:
        return _const(first.args[-1], consts)
    if isinstance(first, ast.BinOp) and isinstance(first.op, ast.Div):
        return _const(first.right, consts)
    return None


def _opened(node: ast.AST, consts: dict[str, str]) -> str | None:
    """The path of ``open(path, "w")`` (or ``Path(path).open("w")``) when it is opened for writing."""
    if not isinstance(node, ast.Call) or _callee(node) != "open":
        return None
    mode_node = next((kw.value for kw in node.keywords if kw.arg == "mode"), None)
    if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Call) \
            and _callee(node.func.value) in ("Path", "PurePath") and node.func.value.args:
        path = _path_arg(node.func.value.args, consts)
        mode_node = mode_node or (node.args[0] if node.args else None)
    else:
        if not node.args:
            return None
        path = _path_arg(node.args, consts)
        mode_node = mode_node or (node.args[1] if len(node.args) > 1 else None)
    mode = _const(mode_node, consts) if mode_node is not None else None
    if path is None or mode is None or not _WRITE_MODES.match(mode):
        return None
    return path


_TOK_OPEN = re.compile(r"""(?:open|Path)\s*\(\s*(?P<q>['"])(?P<path>[\w.\-/]+)(?P=q)\s*(?:,\s*(?:mode\s*=\s*)?"""
                       r"""['"](?P<mode>[waxbt+]+)['"])?\s*\)""")


def _written_tokens(source: str, limit: int) -> list[Written]:
    """:func:`written_files` for code that does not parse: an ``open(CONST, "w")`` / ``Path(CONST)`` followed,
    within a few tokens, by ``.write(STRING)`` / ``.write_text(STRING)`` whose string tokens are whole."""
    out: list[Written] = []
    for m in _TOK_OPEN.finditer(source):
        path = m.group("path")
        is_path = m.group(0).startswith("Path")
        if not _is_file_path(path) or (not is_path and not (m.group("mode") or "").startswith(("w", "a", "x"))):
            continue
        window = source[m.end():m.end() + 400]
        w = re.search(r"\.write(?:_text)?\s*\(", window)
        if not w or (is_path and "write_text" not in w.group(0)):
            continue
        body = _string_at(window[w.end():])
        if body is not None:
            out.append(Written(path, body, source.count("\n", 0, m.start()) + 1, "write() in code that does not "
                                                                                  "parse"))
            if len(out) >= limit:
                break
    return out


def _string_at(text: str) -> str | None:
    """The value of the string literal (or adjacent literals) at the start of ``text``, read by the tokenizer."""
    parts: list[str] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text[:1 << 16]).readline):
            if tok.type == tokenize.STRING:
                parts.append(tok.string)
            elif tok.type in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT) and parts:
                continue
            else:
                break
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    if not parts:
        return None
    try:
        values = [ast.literal_eval(p) for p in parts]
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if not all(isinstance(v, str) for v in values):
        return None
    return "".join(values)


# ---------------------------------------------------------------------------------------------
# changes: the change set model the change rules (FP42x in foulplay.detect._diffs) read, and the
# diffs a model's answer carries


@dataclass
class DiffLine:
    kind: str  # " " context, "-" removed, "+" added
    old_no: int | None
    new_no: int | None
    text: str


@dataclass
class FileChange:
    """One file's change. ``before``/``after`` hold whole files when the source knows them (git, an
    agent's Write), else None and only the hunks are known (a patch file)."""

    path: str
    old_path: str | None = None
    status: str = "modified"  # added | deleted | modified | renamed
    hunks: list[list[DiffLine]] = field(default_factory=list)
    before: str | None = None
    after: str | None = None
    where: str = ""
    """Who made it: a commit, a transcript step or tool call (empty for a plain patch)."""

    @property
    def removed(self) -> list[DiffLine]:
        return [ln for h in self.hunks for ln in h if ln.kind == "-"]

    @property
    def added(self) -> list[DiffLine]:
        return [ln for h in self.hunks for ln in h if ln.kind == "+"]

    @property
    def role(self) -> str:
        return file_role(self.path)


def file_role(path: str) -> str:
    """``test``, ``conftest``, ``test-config``, ``ci``, ``solution`` (other code) or ``other``."""
    p = path.replace("\\", "/")
    name = posixpath.basename(p)
    if name in ("pytest.ini", ".pytest.ini", "tox.ini", "setup.cfg", "pyproject.toml", "pytest.toml", ".coveragerc"):
        return "test-config"
    if p.startswith(".github/workflows/") or name in (".gitlab-ci.yml", "azure-pipelines.yml", ".travis.yml",
                                                     "bitbucket-pipelines.yml", "Jenkinsfile", "noxfile.py",
                                                     "Makefile", "justfile") \
            or p.startswith(".circleci/") or p.startswith(".buildkite/"):
        return "ci"
    role = role_of(p)
    return role if role in ("test", "conftest", "solution") else "other"


def _strip_prefix(name: str | None) -> str | None:
    if not name or name == "/dev/null":
        return None
    for prefix in ("a/", "b/"):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


_REASON = re.compile(
    r"(expected value|expectation|test|assert\w*)[^.\n]{0,80}\b(was|were|is|are)\s+(wrong|incorrect|"
    r"mistaken|a typo|outdated|out of date|buggy|inconsistent with)|\b(fix|fixes|fixed|correct|corrects|"
    r"corrected)\s+(a\s+|the\s+)?(wrong|incorrect|typo\w*|mistaken|off-by-one)?\s*(expected\s+value|"
    r"expectation|test\s+(expectation|value|data)|assert\w*)|\b(spec|docstring|documentation|"
    r"requirements?)\s+(says|states|defines|requires)", re.I)
_OBSERVED = re.compile(r"\bassert\s+(?P<left>.+?)\s+==\s+(?P<right>.+?)\s*$", re.M)
_WHERE = re.compile(r"^\s*\+\s+where\s+(?P<value>.+?)\s+=\s+", re.M)


@dataclass
class ChangeContext:
    """What the change rules know besides the changes: stated reasons (commit messages, the agent's
    messages) and values observed in test runs (pytest's ``assert 3 == 2.5`` lines)."""

    changes: list[FileChange]
    reasons: list[str] = field(default_factory=list)
    observed: list[str] = field(default_factory=list)
    problem: ProblemView | None = None
    _added_text: set[str] | None = None

    def added_anywhere(self) -> set[str]:
        if self._added_text is None:
            self._added_text = {_norm(ln.text) for c in self.changes for ln in c.added if ln.text.strip()}
        return self._added_text

    def stated_reason(self, *names: str) -> str | None:
        for text in self.reasons:
            for m in _REASON.finditer(text):
                window = text[max(0, m.start() - 300):m.end() + 300]
                if not names or any(n and n in window for n in names):
                    return " ".join(m.group(0).split())[:120]
        return None

    def observed_values(self) -> set[str]:
        out: set[str] = set()
        for text in self.observed:
            for m in _OBSERVED.finditer(text):
                out.add(_norm_value(m.group("left")))
            for m in _WHERE.finditer(text):
                out.add(_norm_value(m.group("value")))
        return out


def _norm(text: str) -> str:
    return " ".join(text.split())


def _norm_value(text: str) -> str:
    text = text.strip().rstrip(",;")
    try:
        import ast

        return repr(ast.literal_eval(text))
    except Exception:  # noqa: BLE001
        return _norm(text)


@dataclass
class ChangeHit:
    message: str
    line: int = 0
    snippet: str = ""
    confidence: Confidence | None = None
    severity: Severity | None = None
    technique: str | None = None
    path: str | None = None


# ---------------------------------------------------------------------------------------------
# diffs carried inside a model's answer


_HUNK_HEAD = re.compile(r"^@@+\s*(?:-(?P<old>\d+)(?:,\d+)?\s+\+(?P<new>\d+)(?:,\d+)?\s*@@+)?")
_GIT_HEAD = re.compile(r"^diff --git (?:a/)?(?P<a>\S+) (?:b/)?(?P<b>\S+)")
_MINUS_HEAD = re.compile(r"^--- (?P<path>[^\t\n]+?)(?:\t.*)?\s*$")
_PLUS_HEAD = re.compile(r"^\+\+\+ (?P<path>[^\t\n]+?)(?:\t.*)?\s*$")
_APPLY_HEAD = re.compile(r"^\*\*\* (?P<op>Update|Add|Delete) File: (?P<path>\S+)")
_MOVE_HEAD = re.compile(r"^\*\*\* Move to: (?P<path>\S+)")
_FENCE_LINE = re.compile(r"^\s{0,3}(```|~~~)")
_TESTY = re.compile(r"^\s*(def test|class Test|import pytest|import unittest|@pytest\.|self\.assert\w+\(|"
                    r"assert \w[\w.]*\(.*\)\s*(==|!=|is|in)\b)")
MAX_ANSWER_DIFF = 1 << 20
"""Answers longer than this are not searched for diffs."""


def _answer_path(raw: str) -> str | None:
    raw = raw.strip().strip("\"'`")
    if raw == "/dev/null":
        return None
    return _strip_prefix(raw)


def changes_in_text(text: str, limit: int = 64) -> list[FileChange]:
    """The file changes a model's answer spells as diffs, read tolerantly: ``git diff`` and ``diff -u``
    output, headers with timestamps, hunks whose ``@@`` lines carry no numbers, the apply_patch format
    (``*** Update File: path``), inside or outside code fences. Hunks without a file header are kept
    when their lines look like tests (path ``<patch>/test_answer.py``). Never raises; linear in the text."""
    if len(text) > MAX_ANSWER_DIFF or ("@@" not in text and "\n+++ " not in text):
        return []
    changes: list[FileChange] = []
    current: FileChange | None = None
    hunk: list[DiffLine] | None = None
    old_no = new_no = 0
    pending_minus: str | None = None
    orphan: FileChange | None = None

    def start(path: str, status: str = "modified", old: str | None = None) -> FileChange:
        nonlocal old_no, new_no
        old_no = new_no = 0
        change = FileChange(path=path, old_path=old, status=status, where="answer")
        changes.append(change)
        return change

    for raw in text.split("\n"):
        line = raw.rstrip("\r")
        if len(changes) > limit:
            break
        if _FENCE_LINE.match(line):
            hunk, pending_minus = None, None
            continue
        m = _GIT_HEAD.match(line)
        if m:
            current, hunk, pending_minus = start(m.group("b")), None, None
            continue
        m = _APPLY_HEAD.match(line)
        if m:
            op = m.group("op")
            current = start(m.group("path"), {"Update": "modified", "Add": "added", "Delete": "deleted"}[op])
            hunk, pending_minus = None, None
            if op == "Add":  # the whole file follows, every line with a "+"
                hunk = []
                current.hunks.append(hunk)
                old_no, new_no = 0, 1
            continue
        m = _MOVE_HEAD.match(line)
        if m and current is not None:
            current.old_path, current.path, current.status = current.path, m.group("path"), "renamed"
            continue
        if line.startswith("*** ") and ("End Patch" in line or "Begin Patch" in line):
            hunk = None
            continue
        if hunk is None or not line.startswith(("-", "+", " ")) or line.startswith(("--- ", "+++ ")):
            m = _MINUS_HEAD.match(line)
            if m and not line.startswith("---- "):
                pending_minus = m.group("path")
                hunk = None
                continue
            m = _PLUS_HEAD.match(line)
            if m and pending_minus is not None:
                old, new = _answer_path(pending_minus), _answer_path(m.group("path"))
                pending_minus = None
                if current is not None and not current.hunks and new in (current.path, None) and \
                        (old in (current.path, current.old_path, None)):
                    target = current  # the ---/+++ lines under a "diff --git" header
                else:
                    target = start(new or old or "")
                if old is None:
                    target.status = "added"
                elif new is None:
                    target.status, target.path = "deleted", old
                elif old != new:
                    target.old_path, target.status = old, "renamed"
                current = target
                continue
            pending_minus = None
        h = _HUNK_HEAD.match(line) if line.startswith("@@") else None
        if h:
            if current is None:
                if orphan is None:
                    orphan = start("")
                current = orphan
            hunk = []
            current.hunks.append(hunk)
            old_no = int(h.group("old")) if h.group("old") else (old_no if old_no else 1)
            new_no = int(h.group("new")) if h.group("new") else (new_no if new_no else 1)
            continue
        if hunk is None:
            if line.startswith("+") and current is not None and current.status == "added" and not current.hunks:
                hunk = []
                current.hunks.append(hunk)
                old_no, new_no = 0, 1
            else:
                continue
        if line.startswith("-"):
            hunk.append(DiffLine("-", old_no, None, line[1:]))
            old_no += 1
        elif line.startswith("+"):
            hunk.append(DiffLine("+", None, new_no, line[1:]))
            new_no += 1
        elif line.startswith(" ") or line == "":
            hunk.append(DiffLine(" ", old_no, new_no, line[1:]))
            old_no += 1
            new_no += 1
        else:
            hunk = None
    out = []
    for c in changes:
        for h_ in c.hunks:  # a blank line that ends the answer's diff is not context
            while h_ and h_[-1].kind == " " and not h_[-1].text.strip():
                h_.pop()
        c.hunks = [h_ for h_ in c.hunks if h_]
        if not c.path:
            if not any(_TESTY.match(ln.text) for h_ in c.hunks for ln in h_):
                continue
            c.path = "<patch>/test_answer.py"
        if c.hunks or c.status == "deleted":
            out.append(c)
    return out


def _change_finding(r: Rule, hit: ChangeHit, change: FileChange) -> Finding:
    return Finding(rule=r.code, name=r.name, family=r.family, technique=hit.technique or r.technique,
                   severity=hit.severity or r.severity, confidence=hit.confidence or r.confidence,
                   message=hit.message, path=hit.path or change.path, line=hit.line, snippet=hit.snippet[:160],
                   source="change", where=change.where)
