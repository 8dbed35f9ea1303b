"""Rendering: the sections into ``report.html`` (self-contained: inline CSS and SVG, no script, font or external
reference; every value escaped by jinja2's autoescape) and ``summary.md`` (headline numbers and warnings for a PR
comment or a CI step summary). Both are written atomically."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from pathlib import Path

from foulplay.errors import FoulplayError
from foulplay.report._load import Results
from foulplay.report._sections import Section, build_sections

HTML_NAME = "report.html"
MD_NAME = "summary.md"
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


class MissingExtra(FoulplayError):
    """The report extra (jinja2, matplotlib) is not installed."""


@dataclass
class ReportFiles:
    html: Path
    markdown: Path
    sections: list[str]
    warnings: list[str]


def md_escape(text: object) -> str:
    """Data as inert Markdown text: one line, Markdown specials backslash-escaped, ``&``, ``<`` and ``>`` as
    entities (no HTML tag survives)."""
    s = " ".join(str(text).split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", s)


def _environment(autoescape: bool):  # type: ignore[no-untyped-def]
    try:
        import jinja2
        import matplotlib  # noqa: F401 - checked here so the error names both
    except ImportError as exc:
        raise MissingExtra(f"foulplay report needs the report extra ({exc.name} is missing): "
                           "pip install 'foulplay[report]'") from None
    env = jinja2.Environment(loader=jinja2.PackageLoader("foulplay.report", "templates"), autoescape=autoescape,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters["md"] = md_escape
    return env


def render(results: Results, *, title: str = "foulplay report", inputs: list[str] | None = None,
           sections: list[Section] | None = None) -> tuple[str, str, list[Section]]:
    """The HTML page and the Markdown summary (as text) and the sections shown."""
    from foulplay import __version__

    html_env = _environment(True)
    md_env = _environment(False)
    shown = build_sections(results) if sections is None else sections
    warnings = [w for s in shown for w in s.warnings]
    ctx = {"title": title, "version": __version__, "inputs": inputs or [], "sections": shown,
           "constructed": results.constructed, "dry_run": results.dry_run, "warnings": warnings,
           "banners": results.banners,
           "notes": results.notes, "html_name": HTML_NAME,
           "created": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")}
    html = html_env.get_template("report.html.j2").render(**ctx)
    md = md_env.get_template("summary.md.j2").render(**ctx)
    return html, md, shown


def write_report(results: Results, out_dir: str | Path, *, title: str = "foulplay report",
                 inputs: list[str] | None = None) -> ReportFiles:
    """Write ``OUT/report.html`` and ``OUT/summary.md``."""
    from foulplay._util.files import atomic_write_text

    out = Path(out_dir)
    html, md, shown = render(results, title=title, inputs=inputs)
    atomic_write_text(out / HTML_NAME, html)
    atomic_write_text(out / MD_NAME, md)
    return ReportFiles(out / HTML_NAME, out / MD_NAME, [s.id for s in shown], [w for s in shown for w in s.warnings])
