"""One exception hierarchy for civnet.

Every error a user can cause is a :class:`UserError`. Its message is one line that says where
(file, row, field), what was expected, what was found and how to fix it. The CLI prints that line
and exits with code 2; it never shows a traceback for these.
"""

from __future__ import annotations


class CivnetError(Exception):
    """Base class of every error raised by civnet."""


class UserError(CivnetError):
    """A mistake in the user's input or request; shown as one line, exit code 2."""

    exit_code = 2

    def __init__(
        self,
        what: str,
        *,
        where: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.what = what
        self.where = where
        self.fix = fix
        super().__init__(self.line())

    def line(self) -> str:
        parts = []
        if self.where:
            parts.append(f"{self.where}: ")
        parts.append(self.what)
        if self.fix:
            parts.append(f"; {self.fix}")
        return "".join(parts).replace("\n", " ")


class InputFileError(UserError):
    """A file cannot be read at all: missing, empty, wrong encoding or delimiter."""


class MissingColumn(UserError):
    """A required column is absent from an input table."""


class MalformedRow(UserError):
    """One or more rows of an input table are invalid; the rows are in the rejects file."""

    def __init__(
        self,
        what: str,
        *,
        where: str | None = None,
        fix: str | None = None,
        rejects_path: str | None = None,
        n_rejected: int = 0,
    ) -> None:
        self.rejects_path = rejects_path
        self.n_rejected = n_rejected
        super().__init__(what, where=where, fix=fix)


class UnknownVocabulary(UserError):
    """An actor type, track or tie kind outside civnet's vocabulary."""


class UnknownActor(UserError):
    """A tie names an actor that is not declared."""


class BadFilter(UserError):
    """A view filter (period, track, country...) cannot be understood."""


class EmptyNetwork(UserError):
    """A measure was asked of a view with no actors or no ties."""


class UnknownDataset(UserError):
    """`civnet load NAME` names no embedded dataset."""


class WorkspaceError(UserError):
    """The workspace file cannot be opened or is not a civnet workspace."""
