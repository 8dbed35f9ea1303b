"""Change sets from git: a revision range, a revision against the working tree, or the staged changes.

Only reads the repository (``git diff``, ``git show``, ``git log``, ``git ls-files``); never runs the
code. Whole files before and after each change are read from git, so the static rules see complete
files and report only what the change added.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from foulplay.detect._diffs import FileChange, parse_unified_diff
from foulplay.errors import InputError

MAX_FILE = 2 << 20


def _git(repo: Path, *args: str, check: bool = True) -> str:
    try:
        proc = subprocess.run(["git", "-C", str(repo), "-c", "core.quotepath=off", *args], capture_output=True,
                              timeout=120, check=False)
    except FileNotFoundError:
        raise InputError("git is not installed (needed for --git/--staged)") from None
    except subprocess.TimeoutExpired:
        raise InputError(f"git {args[0]} took more than 120 s") from None
    if check and proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(f"git {' '.join(args[:2])}: {message[-1] if message else 'failed'}")
    return proc.stdout.decode("utf-8", "replace")


def _show(repo: Path, rev: str, path: str) -> str | None:
    try:
        proc = subprocess.run(["git", "-C", str(repo), "show", f"{rev}:{path}"], capture_output=True, timeout=60,
                              check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0 or len(proc.stdout) > MAX_FILE or b"\x00" in proc.stdout[:8192]:
        return None
    return proc.stdout.decode("utf-8", "replace")


def _read(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if len(data) > MAX_FILE or b"\x00" in data[:8192]:
        return None
    return data.decode("utf-8", "replace")


def resolve_range(top: Path, spec: str) -> tuple[str, str]:
    """(base, head) of ``A..B`` or ``A...B`` (the merge base of A and B as base), both checked to name
    commits; an omitted side is HEAD."""
    base, _, head = spec.partition("...") if "..." in spec else spec.partition("..")
    head = head or "HEAD"
    if "..." in spec:
        base = _git(top, "merge-base", base or "HEAD", head).strip()
    base = base or "HEAD"
    for rev in (base, head):
        _git(top, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    return base, head


def commit_messages(top: Path, base: str, head: str, *, oldest_first: bool = False) -> list[str]:
    """The messages of the commits in ``base..head``, newest first unless ``oldest_first``."""
    order = ["--reverse"] if oldest_first else []
    out = _git(top, "log", *order, "--format=%B%x00", f"{base}..{head}")
    return [m for m in out.split("\x00") if m.strip()]


def git_changes(repo: str | Path, spec: str | None, *, staged: bool = False) -> tuple[list[FileChange], list[str]]:
    """(changes, commit messages) for ``A..B`` / ``A...B`` (commits), ``REV`` (REV against the working tree,
    untracked files included) or the staged changes."""
    root = Path(repo)
    if not root.exists():
        raise InputError(f"{root}: no such directory")
    top = _git(root, "rev-parse", "--show-toplevel").strip()
    top_path = Path(top)
    diff_args = ["diff", "-M", "--no-color", "--no-ext-diff", "-U3"]
    reasons: list[str] = []
    if staged:
        text = _git(top_path, *diff_args, "--cached")
        before_rev, after_rev, where = "HEAD", "", "staged"
    elif spec and ".." in spec:
        base, head = resolve_range(top_path, spec)
        text = _git(top_path, *diff_args, f"{base}..{head}")
        reasons = commit_messages(top_path, base, head)
        before_rev, after_rev, where = base, head, f"{base[:12]}..{head[:12]}"
    else:
        rev = spec or "HEAD"
        _git(top_path, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
        text = _git(top_path, *diff_args, rev)
        before_rev, after_rev, where = rev, None, f"{rev} vs working tree"
    changes = parse_unified_diff(text, where=where, source="git diff") if text.strip() else []
    for change in changes:
        if spec and ".." in spec and not staged:  # name the commit that last touched the file
            last = _git(top_path, "log", "-1", "--format=%h %s", f"{before_rev}..{after_rev}", "--",
                        change.path, *( [change.old_path] if change.old_path else []), check=False).strip()
            if last:
                change.where = f"commit {last[:72]}"
        old = change.old_path or change.path
        if change.status != "added":
            change.before = _show(top_path, before_rev, old)
        if change.status != "deleted":
            if staged:
                change.after = _show(top_path, "", change.path)
            elif after_rev:
                change.after = _show(top_path, after_rev, change.path)
            else:
                change.after = _read(top_path / change.path)
    if not staged and not (spec and ".." in spec):
        from foulplay.detect._diffs import change_from_contents

        untracked = _git(top_path, "ls-files", "--others", "--exclude-standard", "-z").split("\x00")
        for name in filter(None, untracked):
            content = _read(top_path / name)
            if content is not None:
                changes.append(change_from_contents(name, None, content, where=f"{where} (untracked)"))
    return changes, reasons
