"""Budget presets for ``foulplay audit model`` and the price table they are costed with.

A preset fixes, before anything runs, how many samples each eval gets: chat evals are thinned to an evenly
spread subset of their samples (so every question keeps a share), agentic scenarios get a number of epochs,
the coding eval a number of samples. The cost estimate is ``evals._cost``'s token model (prompt length of
each sample plus a stated answer length and number of agent turns) times the user's prices per million
tokens, read from a price table in the config file:

```toml
# foulplay.toml (or --config FILE)
[prices]                       # US dollars per million tokens: [input, output]
"openai/gpt-4o-mini" = [0.15, 0.60]
"anthropic/*" = [3.0, 15.0]    # a glob: the first matching entry wins, exact names first
"foulplay/dry-run" = [0, 0]
```
A model without a price is costed as "unknown", never as free."""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from foulplay.errors import InputError

CONFIG_FILE = "foulplay.toml"
FREE_PROVIDERS = ("mockllm",)
"""Providers that cost nothing (scripted answers); foulplay/dry-run is matched by name below."""


@dataclass(frozen=True)
class Budget:
    name: str
    chat_samples: int | None
    """Samples per chat eval (None: all of them)."""
    agentic_epochs: int | None
    """Epochs per agentic scenario eval, each over all its variants (None: the eval's own)."""
    coding_samples: int | None
    """Samples of hack_propensity (None: all)."""

    def describe(self, evals: list[str] | None = None) -> str:
        """The preset in words, for the evals chosen (all kinds when None)."""
        chat = "every sample" if self.chat_samples is None else f"{self.chat_samples} samples"
        agentic = "their own epochs" if self.agentic_epochs is None else f"{self.agentic_epochs} epochs"
        coding = "every sample" if self.coding_samples is None else f"{self.coding_samples} samples"
        from foulplay.evals._runner import AGENTIC_EVALS, CODING_EVALS

        chosen = set(evals) if evals is not None else None
        parts = []
        if chosen is None or chosen - set(AGENTIC_EVALS) - set(CODING_EVALS):
            parts.append(f"chat evals {chat} each")
        if chosen is None or chosen & set(AGENTIC_EVALS):
            parts.append(f"agentic evals {agentic} of every variant")
        if chosen is None or chosen & set(CODING_EVALS):
            parts.append(f"hack_propensity {coding}")
        return f"{self.name}: " + "; ".join(parts)


BUDGETS = {
    "quick": Budget("quick", chat_samples=20, agentic_epochs=2, coding_samples=12),
    "standard": Budget("standard", chat_samples=100, agentic_epochs=8, coding_samples=30),
    "full": Budget("full", chat_samples=None, agentic_epochs=None, coding_samples=None),
}
"""quick: a smoke test of a model (wide intervals: about +/-20 points on a chat eval); standard: intervals of
about +/-10 points; full: every sample each eval defines (the paper-sized run)."""


def spread(n_total: int, n: int | None) -> list[int]:
    """``n`` indices spread evenly over ``range(n_total)`` (all of them when ``n`` is None or larger)."""
    if n is None or n >= n_total:
        return list(range(n_total))
    return sorted({(i * n_total) // n for i in range(n)})


@dataclass
class PriceTable:
    prices: dict[str, tuple[float, float]]
    source: str | None = None

    def price(self, model: str) -> tuple[float, float] | None:
        if model in self.prices:
            return self.prices[model]
        free = model.split("/")[0] in FREE_PROVIDERS or model == "foulplay/dry-run"
        if free and not any(fnmatch.fnmatchcase(model, p) for p in self.prices):
            return (0.0, 0.0)
        for pattern, value in self.prices.items():
            if fnmatch.fnmatchcase(model, pattern):
                return value
        return None


def load_prices(path: str | Path | None) -> PriceTable:
    """The ``[prices]`` table of ``path``, or of ``./foulplay.toml`` when there is one (else an empty table)."""
    if path is None:
        if not Path(CONFIG_FILE).is_file():
            return PriceTable({})
        path = CONFIG_FILE
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{p}: no such config file") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{p}: not a TOML config ({exc})") from None
    table = data.get("prices", {})
    if not isinstance(table, dict):
        raise InputError(f"{p}: [prices] must be a table of model = [input, output]")
    prices: dict[str, tuple[float, float]] = {}
    for model, value in table.items():
        if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, (int, float)) and
                                                                    not isinstance(v, bool) and v >= 0
                                                                    for v in value)):
            raise InputError(f"{p}: prices.{model}: expected [input, output] in US dollars per million tokens, "
                             f"got {value!r}")
        prices[str(model)] = (float(value[0]), float(value[1]))
    return PriceTable(prices, str(p))


def cost_of(estimates: list[Any], model: str, judge: str | None, prices: PriceTable) -> dict[str, Any]:
    """Tokens and US dollars of one model's share of an audit (``estimates``: ``evals._cost.Estimate``s)."""
    fields = ("samples", "model_input", "model_output", "judge_input", "judge_output")
    total = {f: sum(getattr(e, f) for e in estimates) for f in fields}
    mp = prices.price(model)
    jp = prices.price(judge) if judge else mp
    usd = None
    if mp is not None and (jp is not None or not total["judge_input"]):
        jp = jp or (0.0, 0.0)
        usd = (total["model_input"] * mp[0] + total["model_output"] * mp[1] + total["judge_input"] * jp[0]
               + total["judge_output"] * jp[1]) / 1e6
    needed = [(model, mp)] + ([(judge or model, jp)] if total["judge_input"] else [])
    missing = [m for m, p in needed if p is None]
    return {**total, "usd": usd, "unpriced": sorted(set(missing)),
            "per_eval": {e.eval: e.samples for e in estimates}}
