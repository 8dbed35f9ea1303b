"""Run untrusted Python: isolation, resource limits, warm workers.

Levels, best first: ``bwrap`` (bubblewrap namespaces, read-only system, private /tmp, no network,
uid separation when started as root) -> ``rlimit`` (resource limits, new session, network
namespace when root) -> ``none``. The level actually used is on every :class:`JobResult`.
"""

from foulplay.sandbox._isolation import bwrap_works
from foulplay.sandbox._limits import Limits
from foulplay.sandbox._pool import JobResult, Sandbox, available_isolation
from foulplay.vocab import Isolation

__all__ = ["Isolation", "JobResult", "Limits", "Sandbox", "available_isolation", "bwrap_works"]
