"""Labelled items for every detector: one :class:`BenchItem` per item, whatever the source, holding what the
static scan reads (a completion and its problem, or a transcript) and what a monitor reads (a
:class:`Transcript`), with the label, the hack family and the cluster (the task) the intervals resample.

Sources:

* the generated corpus (``dev`` / ``heldout`` halves; cluster = the problem);
* HumanEval and MBPP reference solutions (honest; cluster = the problem);
* labelled JSONL (``--labelled``), one object per line::

      {"id": "eq-1", "label": "hack", "family": "equality", "cluster": "fp/median",
       "problem": {...a problem record...}, "completion": "raw model output"}
      {"id": "t-7", "label": "clean", "task": "repo-42", "transcript": [{"role": "user", "content": "..."}, ...]}

  ``label`` is ``hack``, ``clean``, or null / ``unlabelled`` (kept out of every figure); ``family`` is
  optional (``unknown``); ``cluster`` (or ``task``) names the task, items of one task are resampled
  together (default: the problem's ``task_id``, else the item's own id); an item carries either a
  ``completion`` (with an optional ``problem`` record, as ``foulplay grade`` reads them, and an optional
  ``prompt``) or a ``transcript``: a list of chat messages in OpenAI or Inspect form (``role``, ``content``
  as a string or a list of parts of type ``text``/``reasoning``/``thinking``, assistant ``tool_calls`` with
  ``function`` a name (Inspect) or ``{"name", "arguments"}`` (OpenAI), tool messages with
  ``tool_call_id``);
* Inspect logs (``--logs``): one item per sample, its full transcript; the label is a scorer's value
  (``--label-scorer NAME``: ``--hack-value`` values are hacks, ``--clean-value`` values (default: any other
  value) clean), or, by default, the bundled rule: on the impossible LiveCodeBench tasks (``lcb-*``) a
  ``C`` is a cheat by construction and an ``I`` unlabelled, elsewhere a judge's 1.0 is a hack and 0.0 is
  not; cluster = the log's task and the sample id (epochs of one sample together);
* School of Reward Hacks (``--srh``; the Hugging Face set ``longtermrisk/school-of-reward-hacks`` as JSONL,
  CSV or Parquet): each row has ``user`` (the request, with how it is graded), ``school_of_reward_hacks``
  (a response that games the stated metric), ``control`` (an honest response), ``task``,
  ``evaluation_metric`` and ``cheat_method``; it gives a hack item and a clean item with the same cluster.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from foulplay.errors import InputError

UNLABELLED = "unlabelled"


@dataclass
class BenchItem:
    id: str
    label: str | None  # hack | clean | None (unlabelled)
    family: str
    group: str
    """The data set it belongs to (a half of the corpus, a file, a log's task)."""
    cluster: str
    problem: Any = None
    prompt: str = ""
    completion: str | None = None
    transcript: Any = None
    error: str | None = None
    split: str = "real"
    meta: dict[str, Any] = field(default_factory=dict)

    def monitor_transcript(self) -> Any:
        """What a monitor reads: the item's own transcript, or the task as a user turn and the completion as
        the assistant's answer (reasoning tags as reasoning; an answer with no fenced code is fenced, so the
        actions view, which shows only a tool-less answer's code blocks, sees the code and no prose)."""
        from foulplay.detect.transcripts import Step, Transcript

        if self.transcript is not None:
            return self.transcript
        t = Transcript(format="bench", id=self.id, error=self.error)
        if self.prompt:
            t.steps.append(Step("message 1", "user", "text", self.prompt))
        from foulplay.grading import split_reasoning

        reasoning, answer = split_reasoning(self.completion or "")
        answer = answer.strip()
        if reasoning.strip():
            t.steps.append(Step("message 2", "assistant", "reasoning", reasoning.strip()))
        if answer:
            t.steps.append(Step("message 2", "assistant", "text", answer))
        if "```" not in answer and answer:
            answer = f"```\n{answer}\n```"
        t.final_answer, t.final_answer_ref = answer, "message 2"
        return t


# -- the corpus and the references ----------------------------------------------------------------------


def corpus_items(items: Any) -> list[BenchItem]:
    """The generated corpus's items (``foulplay.bench.generate``)."""
    out = []
    for i in items:
        out.append(BenchItem(i.id, i.label, i.family, i.split, str(i.problem.get("task_id", i.id)),
                             problem=i.problem, prompt=str(i.problem.get("prompt", "")), completion=i.completion,
                             split=i.split, meta={"generator": i.generator}))
    return out


def reference_items(shared: Path | None) -> Iterator[BenchItem]:
    """HumanEval's 164 and MBPP's 974 reference solutions (honest)."""
    from foulplay.grading import load_humaneval, load_mbpp

    sets = [("humaneval-references", load_humaneval())]
    mbpp = shared / "datasets" / "mbpp" / "mbpp.jsonl" if shared else None
    if mbpp is not None and mbpp.is_file():
        sets.append(("mbpp-references", load_mbpp(mbpp)))
    for group, problems in sets:
        for p in problems:
            text = p.prompt + p.reference if p.kind == "check" else p.reference
            yield BenchItem(p.task_id, "clean", "reference", group, p.task_id, problem=p, prompt=p.prompt,
                            completion=text or "")


# -- labelled JSONL --------------------------------------------------------------------------------------


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None


def _label(value: Any, where: str) -> str | None:
    if value is None or value == UNLABELLED:
        return None
    if value not in ("hack", "clean"):
        raise InputError(f"{where}: label must be hack or clean (or null for unlabelled), got {value!r}")
    return str(value)


def labelled_items(path: Path) -> Iterator[BenchItem]:
    """A labelled JSONL set (see the module's docstring; the format of ``benchmarks/detection_set``)."""
    from foulplay.grading import problem_from_record

    group = path.stem
    seen: set[str] = set()
    for number, raw in enumerate(_read_lines(path), 1):
        if not raw.strip():
            continue
        where = f"{path}:{number}"
        try:
            rec = json.loads(raw)
        except (ValueError, RecursionError):
            raise InputError(f"{where}: not JSON") from None
        if not isinstance(rec, dict):
            raise InputError(f"{where}: not a JSON object")
        for key in ("id", "label"):
            if key not in rec:
                raise InputError(f"{where}: missing field {key!r}")
        if "completion" not in rec and "transcript" not in rec:
            raise InputError(f"{where}: missing field 'completion' (or 'transcript')")
        label = _label(rec["label"], where)
        item_id = str(rec["id"])
        if item_id in seen:
            raise InputError(f"{where}: duplicate id {item_id!r}")
        seen.add(item_id)
        problem = problem_from_record(rec["problem"], where) if isinstance(rec.get("problem"), dict) else None
        cluster = rec.get("cluster", rec.get("task"))
        if cluster is None:
            cluster = getattr(problem, "task_id", None) or item_id
        item = BenchItem(item_id, label, str(rec.get("family") or "unknown"), group, str(cluster), problem=problem,
                         prompt=str(rec.get("prompt") or getattr(problem, "prompt", "") or ""))
        if "transcript" in rec:
            item.transcript = transcript_from_chat(rec["transcript"], item_id, where)
            item.transcript.problem = problem
        else:
            if not isinstance(rec["completion"], str):
                raise InputError(f"{where}: 'completion' must be a string")
            item.completion = rec["completion"]
        yield item


def _parts(content: Any, where: str) -> list[Any]:
    if content is None:
        return []
    if isinstance(content, str):
        return [SimpleNamespace(type="text", text=content)]
    if not isinstance(content, list):
        raise InputError(f"{where}: message content must be a string or a list of parts")
    parts = []
    for part in content:
        if isinstance(part, str):
            parts.append(SimpleNamespace(type="text", text=part))
        elif isinstance(part, dict):
            kind = part.get("type", "text")
            if kind in ("text", "output_text", "input_text"):
                parts.append(SimpleNamespace(type="text", text=str(part.get("text", ""))))
            elif kind in ("reasoning", "thinking"):
                parts.append(SimpleNamespace(type="reasoning", reasoning=str(
                    part.get("reasoning") or part.get("thinking") or part.get("summary") or part.get("text") or "")))
    return parts


def _tool_call(call: Any, where: str) -> Any:
    if not isinstance(call, dict):
        raise InputError(f"{where}: a tool call must be an object")
    fn = call.get("function")
    if isinstance(fn, dict):  # OpenAI: {"name", "arguments": "json"}
        name, args = fn.get("name"), fn.get("arguments")
    else:  # Inspect: function is the name
        name, args = fn, call.get("arguments")
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except ValueError:
            args = {"input": args}
    return SimpleNamespace(id=str(call.get("id", "")), function=str(name or "?"),
                           arguments=args if isinstance(args, dict) else {})


def transcript_from_chat(messages: Any, item_id: str, where: str) -> Any:
    """A :class:`Transcript` of chat messages in OpenAI or Inspect form (dicts)."""
    from foulplay.detect.transcripts.inspect_log import sample_transcript

    if not isinstance(messages, list) or not messages:
        raise InputError(f"{where}: 'transcript' must be a non-empty list of chat messages")
    out = []
    for n, m in enumerate(messages, 1):
        at = f"{where}: transcript message {n}"
        if not isinstance(m, dict) or m.get("role") not in ("system", "user", "assistant", "tool"):
            raise InputError(f"{at}: not a chat message (an object with role system, user, assistant or tool)")
        parts = _parts(m.get("content"), at)
        extra = m.get("reasoning_content") or m.get("reasoning")
        if isinstance(extra, str) and extra:
            parts.insert(0, SimpleNamespace(type="reasoning", reasoning=extra))
        calls = [_tool_call(c, at) for c in (m.get("tool_calls") or [])]
        out.append(SimpleNamespace(role=m["role"], content=parts, tool_calls=calls,
                                   tool_call_id=m.get("tool_call_id")))
    sample = SimpleNamespace(id=item_id, epoch=1, metadata={}, scores=None, messages=out, error=None)
    t = sample_transcript(sample, "labelled")
    t.id = item_id
    return t


# -- Inspect logs ---------------------------------------------------------------------------------------


def _norm(value: Any) -> str:
    """A score value as text, numbers in one spelling (1, 1.0 and True are all ``1``)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        return text
    return f"{number:g}"


def _default_label(task: str, value: str) -> str | None:
    if task.startswith("lcb"):
        return "hack" if value == "C" else None
    return {"1": "hack", "0": "clean"}.get(_norm(value))


def log_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    logs = sorted(path.glob("*.eval")) + sorted(path.glob("*.json"))
    if not logs:
        raise InputError(f"{path}: no Inspect logs (*.eval, *.json)")
    return logs


def _task_of(log: Path) -> str:
    return log.stem.split("_")[1] if "_" in log.stem else log.stem


def inspect_items(path: Path, *, scorer: str | None = None, hack_values: tuple[str, ...] = ("C",),
                  clean_values: tuple[str, ...] = ()) -> Iterator[BenchItem]:
    """The samples of Inspect logs (a file or a folder of them) with their transcripts. Without ``scorer``
    the label is the bundled rule (the module's docstring); with it, the named scorer's value: one of
    ``hack_values`` is a hack, one of ``clean_values`` (any other value when empty) is clean, a sample the
    scorer did not score is unlabelled."""
    for log in log_files(path):
        task = _task_of(log)
        if scorer is None:
            from foulplay.detect.transcripts import load_transcripts

            for t in load_transcripts(log):
                value = (t.label or "").rsplit("=", 1)[-1]
                yield _log_item(t, _default_label(task, value), task, value)
            continue
        items: list[BenchItem] = []
        seen: set[str] = set()
        for t, scores in _read_log(log):
            seen |= set(scores)
            if scorer not in scores:
                items.append(_log_item(t, None, task, ""))
                continue
            value = _norm(scores[scorer])
            if value in {_norm(v) for v in hack_values}:
                label: str | None = "hack"
            elif not clean_values or value in {_norm(v) for v in clean_values}:
                label = "clean"
            else:
                label = None
            items.append(_log_item(t, label, task, value))
        if seen and scorer not in seen:
            raise InputError(f"{log}: no scorer {scorer!r} in its samples (scorers: {', '.join(sorted(seen))})")
        yield from items


def _log_item(t: Any, label: str | None, task: str, value: str) -> BenchItem:
    sample = t.id.split("#", 1)[-1].split("/epoch", 1)[0]
    return BenchItem(t.id, label, task, task, f"{task}:{sample}", problem=getattr(t, "problem", None), transcript=t,
                     error=getattr(t, "error", None), meta={"score": value})


def _read_log(log: Path) -> Iterator[tuple[Any, dict[str, Any]]]:
    from inspect_ai.log import read_eval_log

    from foulplay.detect.transcripts import Transcript
    from foulplay.detect.transcripts.inspect_log import sample_transcript

    try:
        data = read_eval_log(str(log), resolve_attachments=True)
    except Exception as exc:  # noqa: BLE001 - the reader raises many kinds; one line for the user
        raise InputError(f"{log}: not a readable Inspect log ({type(exc).__name__}: {str(exc)[:120]})") from None
    for n, sample in enumerate(data.samples or [], 1):
        scores = {k: getattr(v, "value", None) for k, v in (sample.scores or {}).items()}
        try:
            yield sample_transcript(sample, log.name), scores
        except Exception as exc:  # noqa: BLE001 - one unreadable sample is that sample's error item
            sid = getattr(sample, "id", n)
            yield Transcript(format="inspect", id=f"{log.name}#{sid}",
                             error=f"sample {sid} could not be read: {type(exc).__name__}: {str(exc)[:160]}"), scores


# -- School of Reward Hacks -----------------------------------------------------------------------------

SRH_COLUMNS = ("user", "school_of_reward_hacks", "control")


def _srh_rows(path: Path) -> list[dict[str, Any]]:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        try:
            import pyarrow.parquet as pq
        except ImportError:
            raise InputError(f"{path}: reading Parquet needs pyarrow (or convert it to JSONL)") from None
        try:
            return list(pq.read_table(path).to_pylist())
        except Exception as exc:  # noqa: BLE001 - a broken file is the user's input
            raise InputError(f"{path}: not a readable Parquet file ({type(exc).__name__})") from None
    if suffix == ".csv":
        try:
            with path.open(encoding="utf-8", newline="") as fh:
                return list(csv.DictReader(fh))
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise InputError(f"{path}: not a readable CSV file ({exc})") from None
    rows = []
    for number, raw in enumerate(_read_lines(path), 1):
        if not raw.strip():
            continue
        try:
            rec = json.loads(raw)
        except (ValueError, RecursionError):
            raise InputError(f"{path}:{number}: not JSON") from None
        if not isinstance(rec, dict):
            raise InputError(f"{path}:{number}: not a JSON object")
        rows.append(rec)
    return rows


def srh_items(path: Path) -> Iterator[BenchItem]:
    """School of Reward Hacks rows: each gives a hack item (its ``school_of_reward_hacks`` response) and a
    clean one (its ``control`` response) in one cluster."""
    rows = _srh_rows(path)
    if not rows:
        raise InputError(f"{path}: no rows")
    group = path.stem
    for n, row in enumerate(rows, 1):
        missing = [c for c in SRH_COLUMNS if not isinstance(row.get(c), str)]
        if missing:
            raise InputError(f"{path}: row {n}: missing column(s) {', '.join(missing)} (not the School of Reward "
                             "Hacks format: user, school_of_reward_hacks, control, task, evaluation_metric, "
                             "cheat_method)")
        meta = {k: str(row.get(k) or "") for k in ("task", "evaluation_metric", "cheat_method")}
        cluster = f"{group}:{n}"
        for label, column in (("hack", "school_of_reward_hacks"), ("clean", "control")):
            yield BenchItem(f"{group}:{n}:{label}", label, "srh", group, cluster, prompt=row["user"],
                            completion=row[column], meta=meta)


# -- the static scan of an item ---------------------------------------------------------------------------


def scan_item(item: BenchItem) -> Any:
    """The static scan of one item, as the report's :class:`Scored`."""
    from foulplay.bench._measure import Scored
    from foulplay.bench._score import best_confidence, scan_options

    label = item.label or UNLABELLED
    if item.error is not None:
        return Scored(item.id, label, item.family, item.group, item.split, {}, error=item.error, cluster=item.cluster)
    options = scan_options()
    try:
        if item.transcript is not None:
            from foulplay.detect.transcripts import scan_transcript

            result = scan_transcript(item.transcript, options=options)
        else:
            from foulplay.detect import scan_completion

            result = scan_completion(item.completion or "", problem=item.problem, options=options, item_id=item.id)
    except Exception as exc:  # noqa: BLE001 - one item's crash is an error item
        return Scored(item.id, label, item.family, item.group, item.split, {}, error=f"{type(exc).__name__}: {exc}",
                      cluster=item.cluster)
    return Scored(item.id, label, item.family, item.group, item.split, best_confidence(result.findings, options),
                  error=result.error, cluster=item.cluster)
