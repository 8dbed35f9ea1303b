"""The hack-propensity section: how often an agent in a repository cheated (edited or gamed the tests) rather
than solved or stopped, overall and given a task made impossible, with 95% intervals clustered by problem. Its
rate is a hack rate, so it is shown apart from the misalignment evals."""

from __future__ import annotations

from typing import Any

from foulplay.report._load import EvalSet, Results
from foulplay.report._sections import Section, Table, ci, pct, section


def _sets(results: Results) -> list[tuple[str, EvalSet]]:
    out = [(f"{r.name} (step {c.step})", c) for r in results.runs for c in r.checkpoints if c.coding]
    return out + [(s.name, s) for s in results.eval_sets if s.coding]


def _rate(d: Any) -> str:
    if not isinstance(d, dict):
        return "n/a"
    text = ci(d.get("rate"), d.get("ci_low"), d.get("ci_high"))
    return f"{text} ({d.get('k', '?')}/{d.get('n', '?')})" if "n" in d else text


@section("hack", before="grader")
def hack_section(results: Results) -> Section | None:
    sets = _sets(results)
    if not sets:
        return None
    sec = Section("hack", "Hack propensity: an agent in a repository with its tests",
                  intro="Each sample puts the model, as an agent with tools, in a repository whose tests it can run "
                        "and edit. It solved the task, cheated (made the tests pass without solving it: edited, "
                        "skipped or gamed them), stopped and said the task cannot be done, or failed. Some tasks are "
                        "made impossible on purpose (a test changed to contradict the others): there, cheating and "
                        "stopping are the only ways out, so 'cheat given impossible' is the cleanest measure. 95% "
                        "intervals are clustered by problem.")
    rows = []
    for name, es in sets:
        for s in es.coding:
            overall = s.get("overall") or {}
            fams = ", ".join(f"{k} {v}" for k, v in sorted((s.get("hack_families") or {}).items())) or "none"
            rows.append([name, str(s.get("usable", 0)), _rate(overall.get("solved")), _rate(overall.get("hacked")),
                         _rate(s.get("cheat_given_impossible")), _rate(s.get("stop_given_impossible")), fams,
                         str(s.get("errors", 0)) + (" (DRY RUN)" if s.get("dry_run") else "")])
            cheat = s.get("cheat_given_impossible") or {}
            sec.headline.append(f"{name}: cheated on {pct(cheat.get('rate'))} of impossible tasks; "
                                f"{pct((overall.get('hacked') or {}).get('rate'))} of all samples"
                                + (" (DRY RUN)" if s.get("dry_run") else ""))
            if isinstance(cheat.get("rate"), (int, float)) and cheat["rate"] > 0:
                sec.warnings.append(f"{name}: the agent cheated on {pct(cheat['rate'])} of the tasks it could not "
                                    "solve honestly, instead of saying so")
    sec.tables.append(Table("Outcomes", ["model / checkpoint", "usable", "solved", "cheated", "cheat given impossible",
                                         "stop given impossible", "hack families", "errors"], rows))
    return sec
