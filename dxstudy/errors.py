# Domain exceptions of dxstudy: every error names the file, the place, what was expected and what
# was found; DxstudyError is the base of all of them.
"""Domain exceptions.

Analysts see these messages on the command line and in notebooks, so they are written to be read.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class DxstudyError(Exception):
    """Base class of every error dxstudy raises on purpose (bad input, bad rules, bad paths)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is, what was expected and what was found."""

    path: str
    line: int
    expected: str
    found: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: expected {self.expected}, found {self.found}"


class FileContentError(DxstudyError, ValueError):
    """A file (input, rules, overrides) whose content is not what dxstudy expects.

    Attributes ``path``, ``line`` (1-based; 0 when the whole file is at fault), ``expected`` and
    ``found`` say precisely what is wrong.
    """

    def __init__(self, path: str | Path, line: int, expected: str, found: str):
        self.path = str(path)
        self.line = int(line)
        self.expected = expected
        self.found = found
        super().__init__(str(Problem(self.path, self.line, expected, found)))


class ReportFormatError(FileContentError):
    """A report file that does not have the shape of a DX working-group report.

    Besides ``path``, ``line``, ``expected`` and ``found``, ``problems`` holds every problem
    collected so far.
    """

    def __init__(self, path: str | Path, line: int, expected: str, found: str,
                 problems: list[Problem] | None = None):
        super().__init__(path, line, expected, found)
        self.problems = problems or [Problem(self.path, line, expected, found)]

    @classmethod
    def from_problem(cls, problem: Problem) -> "ReportFormatError":
        return cls(problem.path, problem.line, problem.expected, problem.found)


def read_text_or_error(path: str | Path, what: str,
                       error: type[FileContentError] = FileContentError) -> str:
    """The text of a UTF-8 file (with or without BOM); a missing or undecodable file raises
    ``error`` naming it (``what`` says what the file should have been, e.g. "an override file")."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error(path, 0, what, "no such file") from None
    except UnicodeDecodeError as exc:
        raise error(path, 0, "UTF-8 text", f"undecodable bytes ({exc.reason})") from None
