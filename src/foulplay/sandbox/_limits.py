"""Resource limits for one sandboxed job."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Limits:
    """Per-job limits. Memory, file size and process counts apply to each submission process."""

    wall_s: float = 10.0
    """Wall-clock budget for the whole job (every process it starts, and the tests)."""
    replay_s: float = 10.0
    """Extra wall-clock time a driver may take on top of ``wall_s`` for a second pass over the same calls
    (the hardened harness's order-independence replay), so a slow honest solution is not timed out by it."""
    cpu_s: int = 10
    """CPU seconds per submission process (RLIMIT_CPU)."""
    memory_mb: int = 1024
    """Address-space cap per submission process (RLIMIT_AS), MiB."""
    file_size_mb: int = 16
    """Largest file a submission process may write (RLIMIT_FSIZE), MiB."""
    nproc: int = 32
    """Processes and threads the submission may have at once (RLIMIT_NPROC; needs uid separation)."""
    nofile: int = 64
    """Open file descriptors per submission process."""
    output_bytes: int = 1 << 16
    """How much of stdout/stderr is kept."""
    tmpfs_mb: int = 256
    """Size of the sandbox's private /tmp (bwrap level), MiB."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def with_(self, **changes: Any) -> Limits:
        return replace(self, **changes)


__all__ = ["Limits"]
