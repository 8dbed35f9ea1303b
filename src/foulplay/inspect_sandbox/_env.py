"""The ``foulplay`` Inspect sandbox environment (see the package docstring)."""

from __future__ import annotations

import asyncio
from typing import Any, Literal, Union, overload

from inspect_ai.util import (
    ExecResult,
    OutputLimitExceededError,
    SandboxEnvironment,
    SandboxEnvironmentConfigType,
    SandboxEnvironmentLimits,
    SandboxUserUnsupportedError,
    sandboxenv,
)
from pydantic import BaseModel, ConfigDict, Field

from foulplay.errors import SandboxUnavailable
from foulplay.sandbox._domain import AGENT_USER, Domain, DomainError, DomainLimits

CHECKED_WITH = "0.3.285"
"""The inspect_ai version whose sandbox self-check suite this provider passes (tests/inspect_sandbox)."""
_ERRORS: dict[str, type[Exception]] = {
    "PermissionError": PermissionError, "FileNotFoundError": FileNotFoundError,
    "IsADirectoryError": IsADirectoryError, "NotADirectoryError": NotADirectoryError,
    "FileExistsError": FileExistsError,
}


class FoulplaySandboxConfig(BaseModel):
    """``sandbox=("foulplay", {...})``: limits of each sample's domain, and the isolation floor."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    memory_mb: int = Field(4096, ge=256)
    nproc: int = Field(512, ge=16)
    file_size_mb: int = Field(512, ge=1)
    workspace_mb: int = Field(1024, ge=16)
    tmp_mb: int = Field(1024, ge=16)
    allow_weaker_isolation: bool = False
    """Run at the ``rlimit`` level (no namespaces: the host's file system and network) when bubblewrap is not
    available. Off by default: the agent sandbox refuses to run below bubblewrap."""

    def limits(self) -> DomainLimits:
        return DomainLimits(memory_mb=self.memory_mb, nproc=self.nproc, file_size_mb=self.file_size_mb,
                            workspace_mb=self.workspace_mb, tmp_mb=self.tmp_mb)


def _config(config: SandboxEnvironmentConfigType | None) -> FoulplaySandboxConfig:
    if isinstance(config, FoulplaySandboxConfig):
        return config
    if config is None:
        return FoulplaySandboxConfig()
    if isinstance(config, dict):
        return FoulplaySandboxConfig.model_validate(config)
    raise ValueError(f"the foulplay sandbox takes a FoulplaySandboxConfig or a mapping, not {config!r}")


def _raise(exc: DomainError) -> None:
    kind = _ERRORS.get(exc.kind)
    if kind is not None:
        raise kind(exc.errno or 0, str(exc)) if exc.errno else kind(str(exc))
    raise RuntimeError(f"{exc.kind}: {exc}")


@sandboxenv(name="foulplay")
class FoulplaySandboxEnvironment(SandboxEnvironment):
    """One sample's isolation domain (see the package docstring)."""

    def __init__(self, domain: Domain) -> None:
        super().__init__()
        self.domain = domain

    # -- lifecycle ----------------------------------------------------------------------------

    @classmethod
    def config_deserialize(cls, config: dict[str, Any]) -> BaseModel:
        return FoulplaySandboxConfig.model_validate(config)

    @classmethod
    async def task_init(cls, task_name: str, config: SandboxEnvironmentConfigType | None) -> None:
        cfg = _config(config)
        Domain(cfg.limits(), allow_weaker=cfg.allow_weaker_isolation).level()  # refuses early, with the reason

    @classmethod
    async def sample_init(cls, task_name: str, config: SandboxEnvironmentConfigType | None,
                          metadata: dict[str, str]) -> dict[str, SandboxEnvironment]:
        cfg = _config(config)
        domain = Domain(cfg.limits(), allow_weaker=cfg.allow_weaker_isolation)
        await asyncio.to_thread(domain.start)
        record = domain.record()
        try:  # the sample's own metadata (the log keeps it) and its transcript
            from inspect_ai.log import transcript
            from inspect_ai.solver._task_state import sample_state

            state = sample_state()
            if state is not None:
                state.metadata["foulplay_sandbox"] = record
            transcript().info({"foulplay_sandbox": record}, source="foulplay sandbox")
        except Exception:  # noqa: BLE001 - outside a sample (the self-check): nothing to record into
            pass
        return {"default": cls(domain)}

    @classmethod
    async def sample_cleanup(cls, task_name: str, config: SandboxEnvironmentConfigType | None,
                             environments: dict[str, SandboxEnvironment], interrupted: bool) -> None:
        for env in environments.values():
            if isinstance(env, FoulplaySandboxEnvironment):
                await asyncio.to_thread(env.domain.close)

    @classmethod
    async def task_cleanup(cls, task_name: str, config: SandboxEnvironmentConfigType | None,
                           cleanup: bool) -> None:
        return None

    @classmethod
    async def cli_cleanup(cls, id: str | None) -> None:
        return None

    def default_polling_interval(self) -> float:
        return 0.2

    # -- the contract -------------------------------------------------------------------------

    def isolation(self) -> dict[str, Any]:
        """The isolation this sample actually got (level, features, workspace)."""
        return self.domain.record()

    async def exec(self, cmd: list[str], input: str | bytes | None = None, cwd: str | None = None,
                   env: dict[str, str] | None = None, user: str | None = None, timeout: int | None = None,
                   timeout_retry: bool = True, concurrency: bool = True) -> ExecResult[str]:
        if user is not None and user != AGENT_USER:
            raise SandboxUserUnsupportedError(f"the foulplay sandbox runs everything as {AGENT_USER!r}; "
                                              f"it cannot run as {user!r}")
        data = input.encode("utf-8") if isinstance(input, str) else (input or b"")
        limit = SandboxEnvironmentLimits.MAX_EXEC_OUTPUT_SIZE
        fut = self.domain.exec_request(cmd, input=data, cwd=cwd, env=env, timeout=timeout, output_limit=limit)
        try:
            reply = Domain.exec_reply(*await asyncio.wrap_future(fut))
        except DomainError as exc:
            _raise(exc)
            raise
        except SandboxUnavailable as exc:
            raise RuntimeError(str(exc)) from None
        if reply.timed_out:
            raise TimeoutError(f"command timed out after {timeout} seconds: {' '.join(cmd)[:200]}")
        stdout = reply.stdout.decode("utf-8", "replace")
        stderr = reply.stderr.decode("utf-8", "replace")
        if reply.overflow:
            raise OutputLimitExceededError(SandboxEnvironmentLimits.MAX_EXEC_OUTPUT_SIZE_STR,
                                           (stdout + stderr)[-4096:])
        return ExecResult(success=reply.returncode == 0, returncode=reply.returncode, stdout=stdout,
                          stderr=stderr)

    async def write_file(self, file: str, contents: str | bytes) -> None:
        data = contents.encode("utf-8") if isinstance(contents, str) else contents
        fut = self.domain.request({"op": "write", "path": file}, data)
        header, _ = await asyncio.wrap_future(fut)
        if not header.get("ok"):
            _raise(DomainError(str(header.get("error")), str(header.get("message", file)), header.get("errno")))

    @overload
    async def read_file(self, file: str, text: Literal[True] = True) -> str: ...

    @overload
    async def read_file(self, file: str, text: Literal[False]) -> bytes: ...

    async def read_file(self, file: str, text: bool = True) -> Union[str | bytes]:  # noqa: UP007
        limit = SandboxEnvironmentLimits.MAX_READ_FILE_SIZE
        fut = self.domain.request({"op": "read", "path": file, "limit": limit})
        header, body = await asyncio.wrap_future(fut)
        if not header.get("ok"):
            if header.get("error") == "limit":
                raise OutputLimitExceededError(SandboxEnvironmentLimits.MAX_READ_FILE_SIZE_STR, None)
            _raise(DomainError(str(header.get("error")), str(header.get("message", file)), header.get("errno")))
        if text:
            return body.decode("utf-8")
        return body


def isolation_of(env: SandboxEnvironment) -> dict[str, Any] | None:
    """The isolation record of a sandbox (or Inspect's proxy of one) when it is foulplay's, else None."""
    try:
        return env.as_type(FoulplaySandboxEnvironment).isolation()
    except TypeError:
        return None
