"""A monitor over many transcripts: concurrent calls, a verdict cache keyed by (view, prompt, model) so a
rerun or a resumed run pays only for what is new, and a token and cost report. One failing transcript is an
``error`` verdict; it never sinks the batch. Only usable verdicts are cached: errors are asked again."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from foulplay.detect.monitors._monitor import Monitor, MonitorVerdict, model_label
from foulplay.detect.transcripts._model import Transcript

CONCURRENCY = 8


@dataclass
class MonitorReport:
    """What a batch cost: model calls, tokens and (with prices, or when the provider reports it) dollars."""

    items: int = 0
    ok: int = 0
    errors: int = 0
    cached: int = 0
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    cost_usd: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def describe(self) -> str:
        cost = f", ${self.cost_usd:.4f}" if self.cost_usd is not None else ""
        return (f"{self.items} transcript(s): {self.ok} verdict(s), {self.errors} error(s), {self.cached} from the "
                f"cache; {self.calls} model call(s), {self.input_tokens} input + {self.output_tokens} output tokens"
                f"{cost}")


@dataclass
class MonitorRun:
    verdicts: list[MonitorVerdict] = field(default_factory=list)
    report: MonitorReport = field(default_factory=MonitorReport)


def report_for(verdicts: list[MonitorVerdict], price: tuple[float, float] | None = None) -> MonitorReport:
    """Totals over verdicts; ``price`` is (input, output) dollars per million tokens. Without it, the cost is
    the providers' own ``total_cost`` when every call reported one."""
    r = MonitorReport(items=len(verdicts))
    reported: list[float] = []
    all_reported = True
    for v in verdicts:
        r.ok += v.ok
        r.errors += not v.ok
        r.cached += v.cached
        r.calls += len(v.usage)
        r.input_tokens += v.tokens("input_tokens")
        r.output_tokens += v.tokens("output_tokens")
        r.total_tokens += v.tokens("total_tokens")
        for u in v.usage:
            if u.get("total_cost") is None:
                all_reported = False
            else:
                reported.append(float(u["total_cost"]))
    if price is not None:
        r.cost_usd = (r.input_tokens * price[0] + r.output_tokens * price[1]) / 1e6
    elif r.calls and all_reported:
        r.cost_usd = sum(reported)
    return r


class VerdictCache:
    """One JSON file per verdict, named by its key, written atomically as each verdict arrives."""

    def __init__(self, directory: str | Path) -> None:
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.dir / f"{key}.json"

    def get(self, key: str) -> MonitorVerdict | None:
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            verdict = MonitorVerdict.from_dict(data)
        except (OSError, ValueError, TypeError):
            return None
        return verdict if verdict.ok and verdict.key == key else None

    def put(self, verdict: MonitorVerdict) -> None:
        if not verdict.ok or not verdict.key:
            return
        fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(verdict.to_dict(), fh)
            os.replace(tmp, self._path(verdict.key))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


async def amonitor_transcripts(transcripts: Iterable[Transcript], monitor: Monitor, *,
                               cache_dir: str | Path | None = None, concurrency: int = CONCURRENCY,
                               price: tuple[float, float] | None = None,
                               on_verdict: Callable[[MonitorVerdict], None] | None = None) -> MonitorRun:
    """The monitor's verdict on every transcript, in order (see :func:`monitor_transcripts`)."""
    items = list(transcripts)
    model = monitor.get_model()
    name = model_label(model)
    cache = VerdictCache(cache_dir) if cache_dir is not None else None
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(t: Transcript) -> MonitorVerdict:
        try:
            if t.error:
                return await monitor.judge(t, model)
            text = monitor.view_text(t)
            key = monitor.key(text, name)
            hit = cache.get(key) if cache is not None else None
            if hit is not None:
                hit.id, hit.cached, hit.usage = t.id, True, []
                return hit
            async with gate:
                verdict = await monitor.judge_text(text, t.id, model)
            verdict.key = key
            if cache is not None:
                cache.put(verdict)
        except Exception as exc:  # noqa: BLE001 - one bad item is its own error verdict
            verdict = MonitorVerdict(t.id, monitor.view, name, "error",
                                     error=f"monitoring failed: {type(exc).__name__}: {str(exc)[:160]}")
        if on_verdict is not None:
            on_verdict(verdict)
        return verdict

    verdicts = list(await asyncio.gather(*(one(t) for t in items)))
    return MonitorRun(verdicts, report_for(verdicts, price))


def monitor_transcripts(transcripts: Iterable[Transcript], monitor: Monitor, *,
                        cache_dir: str | Path | None = None, concurrency: int = CONCURRENCY,
                        price: tuple[float, float] | None = None,
                        on_verdict: Callable[[MonitorVerdict], None] | None = None) -> MonitorRun:
    """The monitor's verdict on every transcript, in order, with a token/cost report.

    At most ``concurrency`` model calls run at once. With ``cache_dir``, each usable verdict is stored under a
    hash of (view text, prompt, model) as soon as it arrives: a rerun, or a run resumed after an
    interruption, reads it back instead of calling the model (a cached verdict has ``cached=True`` and no
    usage of its own). Call :func:`amonitor_transcripts` from inside a running event loop."""
    return asyncio.run(amonitor_transcripts(transcripts, monitor, cache_dir=cache_dir, concurrency=concurrency,
                                            price=price, on_verdict=on_verdict))
