"""The combined detector: the static rules and an LLM monitor on the same item.

Two combinations, reported side by side:

* **union**: the item is flagged when the static rules flag it or the monitor does. An item the monitor
  could not judge and the rules did not flag is undecided (``None``), never clean.
* **fused score**: a logistic model over the rules' confidences and the monitor's suspicion,
  ``P(hack) = sigmoid(b + sum_k w_k x_k)``, with coefficients fitted on the development split of
  ``foulplay bench`` (:func:`fit_fused`, L2-penalised maximum likelihood by Newton's method) and shipped in
  ``foulplay/detect/data/fused.json``.

The shipped file is fitted on the static features only: a monitor's suspicion on the benchmark needs a real
model, and none is available where foulplay is built. Until a user fits the full model
(``foulplay bench --detectors combined --monitor-model M --fit-fused fused.json``, then ``--fused
fused.json``), the monitor enters the fused score by the independent-evidence rule: its suspicion, read as a
probability, shifts the static model's log-odds by ``logit(s) - logit(prior)`` (naive Bayes, assuming the two
are conditionally independent given the label, with the fit's own prevalence as the prior).
:meth:`FusedModel.describe` says which of the two a score came from.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from foulplay.errors import InputError

STATIC_FEATURES = ("static_high", "static_medium", "static_low", "static_rules")
"""Indicators of the best confidence among the rules that fired (high, medium, low: exactly one or none is 1)
and log(1 + the number of rules that fired at medium or above)."""
MONITOR_FEATURE = "monitor_logit"
"""logit of the monitor's suspicion / 100, clipped to [0.01, 0.99]."""
SHIPPED = Path(__file__).resolve().parent.parent / "data" / "fused.json"
_RANK = {"low": 1, "medium": 2, "high": 3}
_CLIP = 0.01


def static_features(confidences: Mapping[str, str]) -> dict[str, float]:
    """The static part of the fused model's input from the rules that fired (rule code -> best confidence:
    ``low``, ``medium`` or ``high``)."""
    ranks = [_RANK[str(c).lower()] for c in confidences.values() if str(c).lower() in _RANK]
    best = max(ranks, default=0)
    return {"static_high": float(best == 3), "static_medium": float(best == 2), "static_low": float(best == 1),
            "static_rules": math.log1p(sum(r >= 2 for r in ranks))}


def monitor_logit(suspicion: float) -> float:
    p = min(max(float(suspicion) / 100.0, _CLIP), 1.0 - _CLIP)
    return math.log(p / (1.0 - p))


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def combined_flag(static_flag: bool, monitor_flag: bool | None) -> bool | None:
    """The union: flagged by either. ``None`` (undecided) when the monitor gave no verdict and the rules
    did not flag."""
    if static_flag or monitor_flag:
        return True
    return None if monitor_flag is None else False


@dataclass
class FusedModel:
    """A fitted logistic model. ``features`` names the inputs; :data:`MONITOR_FEATURE` among them means the
    monitor's weight was fitted, otherwise the independent-evidence rule adds the monitor."""

    features: list[str]
    coefficients: dict[str, float]
    intercept: float
    prevalence: float
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def monitor_fitted(self) -> bool:
        return MONITOR_FEATURE in self.features

    def logit(self, static: Mapping[str, float], suspicion: float | None) -> float | None:
        z = self.intercept
        for name in self.features:
            if name == MONITOR_FEATURE:
                if suspicion is None:
                    return None
                z += self.coefficients[name] * monitor_logit(suspicion)
            else:
                z += self.coefficients[name] * float(static.get(name, 0.0))
        if not self.monitor_fitted and suspicion is not None:
            prior = min(max(self.prevalence, _CLIP), 1.0 - _CLIP)
            z += monitor_logit(suspicion) - math.log(prior / (1.0 - prior))
        return z

    def probability(self, static: Mapping[str, float], suspicion: float | None) -> float | None:
        """P(hack) for one item; ``None`` when the model needs a monitor score and there is none."""
        z = self.logit(static, suspicion)
        return None if z is None else _sigmoid(z)

    def describe(self) -> str:
        terms = ", ".join(f"{k} {self.coefficients[k]:+.2f}" for k in self.features)
        where = self.meta.get("fitted_on", "unknown data")
        if self.monitor_fitted:
            how = f"monitor weight fitted (monitor {self.meta.get('monitor') or 'unnamed'})"
        else:
            how = ("monitor weight NOT fitted: the monitor enters by the independent-evidence rule; fit it with "
                   "`foulplay bench --detectors combined --monitor-model M --fit-fused FILE`")
        n = self.meta.get("n", "?")
        return f"fused logistic on {where} (n={n}): intercept {self.intercept:+.2f}, {terms}; {how}"

    def to_dict(self) -> dict[str, Any]:
        return {"features": list(self.features), "coefficients": dict(self.coefficients),
                "intercept": self.intercept, "prevalence": self.prevalence, "meta": dict(self.meta)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "fused model") -> FusedModel:
        try:
            features = [str(f) for f in data["features"]]
            coefficients = {str(k): float(v) for k, v in data["coefficients"].items()}
            model = cls(features, coefficients, float(data["intercept"]), float(data["prevalence"]),
                        dict(data.get("meta") or {}))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InputError(f"{source}: not a fused model ({type(exc).__name__}: {exc})") from None
        unknown = [f for f in features if f not in (*STATIC_FEATURES, MONITOR_FEATURE)]
        missing = [f for f in features if f not in coefficients]
        if unknown or missing:
            what = f"unknown feature {unknown[0]}" if unknown else f"no coefficient for {missing[0]}"
            raise InputError(f"{source}: {what}")
        if not 0.0 < model.prevalence < 1.0:
            raise InputError(f"{source}: prevalence must lie strictly between 0 and 1")
        return model

    @classmethod
    def load(cls, path: str | Path | None = None) -> FusedModel:
        """The coefficients in ``path``; without one, those shipped with foulplay."""
        p = Path(path) if path is not None else SHIPPED
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except OSError as exc:
            raise InputError(f"{p}: cannot read the fused model ({exc.strerror or exc})") from None
        except ValueError as exc:
            raise InputError(f"{p}: not JSON ({exc})") from None
        if not isinstance(data, dict):
            raise InputError(f"{p}: not a fused model (expected a JSON object)")
        return cls.from_dict(data, str(p))


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (the systems here are a few unknowns, positive definite)."""
    n = len(b)
    m = [[*row, b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        if abs(m[col][col]) < 1e-300:
            raise ValueError("singular system")
        for r in range(col + 1, n):
            f = m[r][col] / m[col][col]
            for c in range(col, n + 1):
                m[r][c] -= f * m[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (m[r][n] - sum(m[r][c] * x[c] for c in range(r + 1, n))) / m[r][r]
    return x


def fit_logistic(x: Sequence[Sequence[float]], y: Sequence[bool], *, l2: float = 1.0,
                 max_iter: int = 100, tol: float = 1e-9) -> tuple[float, list[float]]:
    """(intercept, weights) maximising the log-likelihood minus ``l2/2 * |w|^2`` (the intercept is not
    penalised), by Newton's method. The penalty keeps the weights finite when a feature separates the
    classes perfectly, as the static rules nearly do on the generated corpus."""
    n = len(y)
    if n == 0 or len(x) != n:
        raise ValueError("fit_logistic needs as many label as feature rows, at least one")
    d = len(x[0]) + 1
    rows = [[1.0, *map(float, r)] for r in x]
    beta = [0.0] * d
    for _ in range(max_iter):
        grad = [0.0] * d
        hess = [[0.0] * d for _ in range(d)]
        for r, label in zip(rows, y, strict=True):
            p = _sigmoid(sum(b * v for b, v in zip(beta, r, strict=True)))
            w = p * (1.0 - p)
            for i in range(d):
                grad[i] += (float(label) - p) * r[i]
                for j in range(i, d):
                    hess[i][j] += w * r[i] * r[j]
        for i in range(d):
            for j in range(i):
                hess[i][j] = hess[j][i]
        for i in range(1, d):
            grad[i] -= l2 * beta[i]
            hess[i][i] += l2
        hess[0][0] += 1e-9
        step = _solve(hess, grad)
        beta = [b + s for b, s in zip(beta, step, strict=True)]
        if max(abs(s) for s in step) < tol:
            break
    return beta[0], beta[1:]


def fit_fused(rows: Sequence[tuple[Mapping[str, float], float | None, bool]], *, monitor: str | None,
              l2: float = 1.0, meta: Mapping[str, Any] | None = None) -> FusedModel:
    """Fit the fused model on labelled rows ``(static features, monitor suspicion or None, is_hack)``.

    With ``monitor`` named, rows without a suspicion (the monitor's errors) are left out and the monitor's
    weight is fitted; with ``monitor=None`` only the static features are fitted. Both classes must be
    present."""
    use = [(s, m, bool(h)) for s, m, h in rows if monitor is None or m is not None]
    hacks = sum(h for _, _, h in use)
    if not use or hacks in (0, len(use)):
        raise InputError("fitting the fused model needs labelled hack and clean items (with a monitor verdict "
                         "when a monitor is fitted)")
    features = list(STATIC_FEATURES) + ([MONITOR_FEATURE] if monitor is not None else [])
    x = [[float(s.get(f, 0.0)) for f in STATIC_FEATURES] + ([monitor_logit(m)] if monitor is not None else [])
         for s, m, _ in use]
    intercept, weights = fit_logistic(x, [h for _, _, h in use], l2=l2)
    info = {**dict(meta or {}), "n": len(use), "hacks": hacks, "l2": l2, "monitor": monitor,
            "left_out_without_verdict": len(rows) - len(use)}
    return FusedModel(features, {f: round(w, 6) for f, w in zip(features, weights, strict=True)}, round(intercept, 6),
                      round(hacks / len(use), 6), info)
