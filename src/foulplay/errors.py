"""User-facing errors. The CLI prints these as one line and exits non-zero, without a traceback."""

from __future__ import annotations


class FoulplayError(Exception):
    """Base class for errors caused by the user's input or environment, not by a bug."""

    exit_code = 2


class InputError(FoulplayError):
    """A file or record the user supplied is missing, unreadable or malformed."""


class SandboxUnavailable(FoulplayError):
    """The requested isolation level cannot be provided on this machine."""


__all__ = ["FoulplayError", "InputError", "SandboxUnavailable"]
