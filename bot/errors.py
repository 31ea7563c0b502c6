"""Errors a user sees: one clear sentence, and the usage line when there is one."""

from __future__ import annotations


class CommandError(Exception):
    """Bad input or a refused action. Nothing was changed."""

    def __init__(self, message: str, usage: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage

    def with_usage(self, usage: str) -> CommandError:
        if self.usage is None:
            self.usage = usage
        return self


class Refused(CommandError):
    """The actor may not do this; the message says who may."""
