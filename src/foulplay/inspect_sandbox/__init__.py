"""``sandbox="foulplay"``: an Inspect sandbox environment backed by ``foulplay.sandbox`` (no Docker needed).

One isolation domain per sample (``foulplay.sandbox._domain.Domain``): bubblewrap namespaces (pid, network
with loopback only, IPC, UTS, mount), a read-only system, tmpfs workspace and temporary directories, the
agent's commands as a separate uid under rlimits, no new privileges and the grading sandbox's seccomp filter.
Processes persist across ``exec`` calls of the sample (Inspect's bash sessions, tool servers, agent bridges)
and are all killed at sample cleanup, when the tmpfs disappear with the mount namespace. Below bubblewrap it
refuses to run unless the task's sandbox config says ``allow_weaker_isolation: true``.

Checked with Inspect's own sandbox self-check suite (``inspect_ai.util._sandbox.self_check``) on inspect_ai
0.3.285 (``CHECKED_WITH``).

    Task(..., sandbox="foulplay")
    Task(..., sandbox=("foulplay", {"memory_mb": 8192, "allow_weaker_isolation": False}))
    inspect eval task.py --sandbox foulplay
"""

from foulplay.inspect_sandbox._env import (
    CHECKED_WITH,
    FoulplaySandboxConfig,
    FoulplaySandboxEnvironment,
    isolation_of,
)

__all__ = ["CHECKED_WITH", "FoulplaySandboxConfig", "FoulplaySandboxEnvironment", "isolation_of"]
