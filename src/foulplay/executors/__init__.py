"""Executors: where a batch of work runs. One small interface (:class:`Executor`: map a picklable
:class:`Work` over items, in order, one result per item, failures as rows), two implementations: this
process (:class:`LocalExecutor`) and a Ray cluster (:class:`RayExecutor`, ``pip install 'foulplay[ray]'``).

Layering: above ``grading`` and ``detect`` (the works wrap them), below ``training`` and the commands (which
choose an executor). Grading never knows where it runs."""

from __future__ import annotations

from typing import Any

from foulplay.executors._base import Executor, ExecutorUnavailable, OnResult, Work, run_guarded
from foulplay.executors._grade_work import ExecutorGrader, GradeWork
from foulplay.executors._local import LocalExecutor
from foulplay.executors._scan_work import ScanWork

BACKENDS = ("local", "ray")


def make_executor(backend: str = "local", workers: int | None = None, *, address: str | None = None,
                  **ray_options: Any) -> Any:
    """The executor a command asked for: ``local`` (this process) or ``ray`` (join the cluster at
    ``address``, or a local one)."""
    if backend == "local":
        if address:
            raise ExecutorUnavailable("--address is for --backend ray")
        return LocalExecutor(workers)
    if backend == "ray":
        from foulplay.executors._ray import RayExecutor

        return RayExecutor(workers, address=address, **ray_options)
    raise ExecutorUnavailable(f"unknown backend {backend!r}: use one of {', '.join(BACKENDS)}")


__all__ = ["BACKENDS", "Executor", "ExecutorGrader", "ExecutorUnavailable", "GradeWork", "LocalExecutor", "OnResult",
           "ScanWork", "Work", "make_executor", "run_guarded"]
