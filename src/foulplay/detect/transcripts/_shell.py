"""File edits hidden in shell commands: heredocs, echo/printf redirections, ``sed -i``, rm/mv/git rm,
``git apply`` of an inline patch. What cannot be reconstructed is reported, never guessed."""

from __future__ import annotations

import re
import shlex

from foulplay.detect.transcripts._model import Edit

_HEREDOC_TO = re.compile(
    r"(?P<cmd>cat|tee(?:\s+-a)?)\s*(?:(?P<redir>>>?)\s*(?P<path1>[^\s<>|;&]+)\s*)?<<-?\s*(?P<q>['\"]?)(?P<tag>\w+)(?P=q)"
    r"(?:\s*(?P<redir2>>>?)\s*(?P<path2>[^\s<>|;&]+))?(?P<rest>[^\n]*)\n(?P<body>.*?)\n[ \t]*(?P=tag)[ \t]*(?:\n|$)",
    re.S)
_APPLY = re.compile(r"(?:git\s+apply|patch)\b[^\n<]*<<-?\s*(['\"]?)(\w+)\1[^\n]*\n(?P<body>.*?)\n[ \t]*\2[ \t]*"
                    r"(?:\n|$)", re.S)
_SED_EXPR = re.compile(r"^s(?P<d>[^\w\s\\])(?P<pat>(?:\\.|(?!(?P=d)).)*)(?P=d)(?P<rep>(?:\\.|(?!(?P=d)).)*)(?P=d)"
                       r"(?P<flags>[gI0-9]*)$")


def _norm_path(path: str, cwd: str | None = None) -> str:
    p = path.strip().strip("'\"")
    if cwd and p.startswith(cwd.rstrip("/") + "/"):
        p = p[len(cwd.rstrip("/")) + 1:]
    while p.startswith("./"):
        p = p[2:]
    return p


def edits_from_command(command: str, ref: str, cwd: str | None = None,
                       known: dict[str, str] | None = None) -> tuple[list[Edit], list[str]]:
    """(edits, notes) for one shell command. ``known`` maps paths to current contents, so ``sed -i``
    can be replayed; without it the sed edit is reported as not reconstructed."""
    edits: list[Edit] = []
    notes: list[str] = []
    known = known or {}
    text = command
    for m in _APPLY.finditer(text):
        edits.append(Edit(path="", ref=ref, diff=m.group("body") + "\n", how="git apply"))
    text = _APPLY.sub("\n", text)
    for m in _HEREDOC_TO.finditer(text):
        path = m.group("path1") or m.group("path2")
        if not path:
            continue
        append = (m.group("redir") or m.group("redir2") or "") == ">>" or "-a" in m.group("cmd")
        p = _norm_path(path, cwd)
        body = m.group("body") + "\n"
        if append:
            edits.append(Edit(path=p, ref=ref, before=known.get(p), after=(known.get(p) or "") + body
                              if p in known else None, new=body, how="heredoc >>"))
        else:
            edits.append(Edit(path=p, ref=ref, before=known.get(p), after=body, how="heredoc"))
    text = _HEREDOC_TO.sub("\n", text)
    for argv in _simple_commands(text):
        raw = shlex.join(argv)
        edits_here, notes_here = _from_argv(argv, raw, ref, cwd, known)
        edits += edits_here
        notes += notes_here
    return edits, notes


def _simple_commands(text: str) -> list[list[str]]:
    """argv of each simple command: split on newlines and on ``&&``, ``||``, ``;``, ``|`` outside quotes;
    redirections stay as their own words (``>``, ``>>``)."""
    out: list[list[str]] = []
    for line in text.replace("\\\n", " ").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|<>")
        lexer.whitespace_split = True
        lexer.commenters = ""
        current: list[str] = []
        try:
            for token in lexer:
                if token in (";", "&&", "||", "|", "&", ";;"):
                    if current:
                        out.append(current)
                    current = []
                else:
                    current.append(token)
        except ValueError:
            continue  # unbalanced quotes: not a command we can read
        if current:
            out.append(current)
    return out


def _from_argv(argv: list[str], raw: str, ref: str, cwd: str | None,
               known: dict[str, str]) -> tuple[list[Edit], list[str]]:
    edits: list[Edit] = []
    notes: list[str] = []
    head = argv[0]
    if head == "git" and len(argv) > 1:
        head, argv = f"git {argv[1]}", ["git " + argv[1], *argv[2:]]
    args = [a for a in argv[1:] if not a.startswith("-")]
    if head in ("rm", "unlink", "git rm"):
        edits += [Edit(path=_norm_path(a, cwd), ref=ref, before=known.get(_norm_path(a, cwd)), delete=True, how=head)
                  for a in args if a not in ("*",)]
    elif head in ("mv", "git mv") and len(args) == 2:
        src, dst = (_norm_path(a, cwd) for a in args)
        edits.append(Edit(path=src, ref=ref, before=known.get(src), move_to=dst, how=head))
    elif head == "sed" and any(a.startswith("-i") or a == "--in-place" for a in argv[1:]):
        exprs = []
        files = []
        it = iter(argv[1:])
        for a in it:
            if a in ("-e", "--expression"):
                exprs.append(next(it, ""))
            elif a.startswith("-"):
                continue
            elif not exprs:
                exprs.append(a)
            else:
                files.append(a)
        for f in files:
            p = _norm_path(f, cwd)
            before = known.get(p)
            after = _apply_sed(exprs, before) if before is not None else None
            if after is None:
                notes.append(f"{ref}: `sed -i` on {p} could not be replayed (file content unknown or expression "
                             f"not supported); its substitution is checked as a fragment: {raw[:80]}")
                for expr in exprs:
                    fragment = _sed_fragment(expr)
                    if fragment is not None:
                        edits.append(Edit(path=p, ref=ref, old=fragment[0], new=fragment[1], how="sed -i (fragment)"))
            else:
                edits.append(Edit(path=p, ref=ref, before=before, after=after, how="sed -i"))
    elif head in ("echo", "printf") and (">" in argv or ">>" in argv):
        op = ">>" if ">>" in argv else ">"
        index = argv.index(op)
        if index + 1 < len(argv):
            p = _norm_path(argv[index + 1], cwd)
            body = " ".join(argv[1:index])
            if head == "printf":
                body = body.encode().decode("unicode_escape", "replace")
            else:
                body += "\n"
            if op == ">>":
                edits.append(Edit(path=p, ref=ref, before=known.get(p),
                                  after=(known[p] + body) if p in known else None, new=body, how=f"{head} >>"))
            else:
                edits.append(Edit(path=p, ref=ref, before=known.get(p), after=body, how=f"{head} >"))
    elif head in ("python", "python3") and re.search(r"open\([^)]*['\"]w", raw):
        notes.append(f"{ref}: a python command writes files; its edits were not reconstructed: {raw[:80]}")
    return edits, notes


def _sed_fragment(expr: str) -> tuple[str, str] | None:
    """``s|^addopts = -ra$|addopts = -ra --deselect x|`` as the line it replaces and the line it writes
    (regex syntax stripped, ``&`` expanded): enough for the change rules when the file is unknown."""
    m = _SED_EXPR.match(expr.strip())
    if m is None:
        return None

    def plain(text: str) -> str:
        text = re.sub(r"\\(.)", r"\1", text)
        return re.sub(r"\.\*|\^|\$|\[[^\]]*\]\*?", "", text)

    old = plain(m.group("pat"))
    new = plain(m.group("rep").replace("&", m.group("pat")))
    return old + "\n", new + "\n"


def _sed_to_python(pattern: str, replacement: str) -> tuple[str, str]:
    """Basic (BRE) sed syntax to Python's: \\( \\) groups, \\1 refs, & for the whole match."""
    py = pattern.replace(r"\(", "(").replace(r"\)", ")").replace(r"\{", "{").replace(r"\}", "}")
    py = py.replace(r"\+", "+").replace(r"\?", "?").replace(r"\|", "|")
    rep = re.sub(r"(?<!\\)&", r"\\g<0>", replacement)
    return py, rep


def _apply_sed(exprs: list[str], text: str) -> str | None:
    out = text
    for expr in exprs:
        m = _SED_EXPR.match(expr.strip())
        if not m:
            delete = re.fullmatch(r"/(?P<pat>.+)/d", expr.strip()) or re.fullmatch(r"(?P<a>\d+)(,(?P<b>\d+))?d",
                                                                                    expr.strip())
            if delete is None:
                return None
            lines = out.splitlines(keepends=True)
            if "pat" in delete.groupdict() and delete.group("pat") is not None:
                try:
                    rx = re.compile(_sed_to_python(delete.group("pat"), "")[0])
                except re.error:
                    return None
                out = "".join(ln for ln in lines if not rx.search(ln))
            else:
                a = int(delete.group("a"))
                b = int(delete.group("b") or a)
                out = "".join(ln for i, ln in enumerate(lines, 1) if not a <= i <= b)
            continue
        pat, rep = _sed_to_python(m.group("pat"), m.group("rep"))
        try:
            rx = re.compile(pat, re.I if "I" in m.group("flags") else 0)
        except re.error:
            return None
        count = 0 if "g" in m.group("flags") else 1
        try:
            out = "".join(rx.sub(rep, ln, count=count) for ln in out.splitlines(keepends=True))
        except (re.error, IndexError):  # a group the pattern does not have: sed would refuse it too
            return None
    return out
