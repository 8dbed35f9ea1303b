"""``--backend local|ray`` and ``--address``: where a command's batch runs (:mod:`foulplay.executors`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

BACKEND_HELP = ("Where the batch runs: local (this process's sandbox pool) or ray (Ray actors, each with a warm "
                "sandbox pool; pip install 'foulplay[ray]'). Results are the same, in the same order.")
ADDRESS_HELP = ("--backend ray: the cluster to join (auto, HOST:6379 or ray://HOST:10001); default: a cluster "
                "already running on this machine, else a new local one.")


def backend_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option("--address", default=None, metavar="ADDRESS", help=ADDRESS_HELP)(f)
    return click.option("--backend", type=click.Choice(["local", "ray"]), default="local", show_default=True,
                        help=BACKEND_HELP)(f)


def open_executor(backend: str, address: str | None, workers: int | None, **ray_options: Any) -> Any:
    """The executor for ``--backend``/``--address``/``--workers`` (errors are one line, exit 2)."""
    from foulplay.executors import make_executor

    if backend == "local":
        return make_executor("local", workers, address=address)
    return make_executor("ray", workers, address=address, **ray_options)
