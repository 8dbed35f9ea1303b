"""Reports: one offline HTML page (inline SVG figures, no scripts, fonts or external references) and a Markdown
summary from training run folders, eval summaries and audit inputs (probe, bench and scan reports, audit
folders; docs/report.md). Sections are registered functions (``section``): each takes the loaded
:class:`Results` and returns a :class:`Section` or None."""

from foulplay.report._context import DROP, MIN_AGENTIC, ContextCheck, check_context, group_rate
from foulplay.report._load import EvalSet, Results, RunResult, load_results
from foulplay.report._load_audit import Audit, Loaded
from foulplay.report._render import HTML_NAME, MD_NAME, MissingExtra, ReportFiles, md_escape, render, write_report
from foulplay.report._sections import SECTIONS, Figure, Section, Table, build_sections, section

__all__ = ["DROP", "HTML_NAME", "MD_NAME", "MIN_AGENTIC", "SECTIONS", "Audit", "ContextCheck", "EvalSet", "Figure",
           "Loaded", "MissingExtra", "ReportFiles", "Results", "RunResult", "Section", "Table", "build_sections",
           "check_context", "group_rate", "load_results", "md_escape", "render", "section", "write_report"]
