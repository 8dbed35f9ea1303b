"""The template an agent wrote, read from the final repository by parsing (never importing) its registry file.

Accepted forms of the constant: a string literal (implicit concatenation and parentheses included), ``+`` of
literals, and ``textwrap.dedent(...)`` / ``.strip()`` of those. Anything else — the file missing or not
parsing, the constant absent or still ``None``, a computed value, no ``{transcript}`` placeholder — is
``no_prompt`` with the reason."""

from __future__ import annotations

import ast
import textwrap

PLACEHOLDER = "{transcript}"


class NotAString(Exception):
    pass


def _value(node: ast.AST) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _value(node.left) + _value(node.right)
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in ("strip", "lstrip", "rstrip") and not node.args:
            return getattr(_value(func.value), func.attr)()
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name == "dedent" and len(node.args) == 1 and not node.keywords:
            return textwrap.dedent(_value(node.args[0]))
    raise NotAString


def extract_template(source: str | None, constant: str,
                     placeholder: str = PLACEHOLDER) -> tuple[str | None, str | None]:
    """(template, None) or (None, why there is no usable prompt)."""
    if source is None:
        return None, "the registry file is missing or unreadable"
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return None, f"the registry file does not parse (line {exc.lineno}: {exc.msg})"
    found: ast.AST | None = None
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] \
            if isinstance(node, ast.AnnAssign) and node.value is not None else []
        if any(isinstance(t, ast.Name) and t.id == constant for t in targets):
            found = node.value  # type: ignore[union-attr]
    if found is None:
        return None, f"{constant} is not defined"
    if isinstance(found, ast.Constant) and found.value is None:
        return None, f"{constant} is still None"
    try:
        text = _value(found)
    except NotAString:
        return None, f"{constant} is not a plain string (found {type(found).__name__})"
    if not text.strip():
        return None, f"{constant} is empty"
    if placeholder not in text:
        return None, f"{constant} has no {placeholder} placeholder"
    return text, None
