"""Inspect's own sandbox conformance suite, run against the foulplay sandbox (one domain per check)."""

from __future__ import annotations

import pytest
from inspect_ai.util._sandbox.self_check import *  # noqa: F403

from foulplay.inspect_sandbox import FoulplaySandboxEnvironment

UNSUPPORTED = {
    "test_exec_as_user": "everything runs as the sandbox's one unprivileged user; there is no root to add users",
}


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
async def sandbox_env(request):
    name = request.node.originalname
    if name in UNSUPPORTED:
        request.node.add_marker(pytest.mark.xfail(reason=UNSUPPORTED[name], strict=True))
    envs = await FoulplaySandboxEnvironment.sample_init("self-check", None, {})
    try:
        yield envs["default"]
    finally:
        await FoulplaySandboxEnvironment.sample_cleanup("self-check", None, envs, False)


pytestmark = pytest.mark.anyio
