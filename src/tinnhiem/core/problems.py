"""Problems found in the input: every one is reported, all at once, never as a traceback."""

from __future__ import annotations

from dataclasses import dataclass, field

ERROR = "error"
WARNING = "warning"
# What the reader did that the user may want to know (the header taken from row 7, footer rows
# left out): never blocks, not even under --strict.
NOTE = "note"


@dataclass(frozen=True, slots=True)  # slots: no dict per problem (a national `tally` makes 40,000)
class Problem:
    code: str
    message: str  # Vietnamese, for the user
    severity: str = ERROR
    file: str | None = None
    sheet: str | None = None
    row: int | None = None  # as the user sees it in the spreadsheet (header is row 1)
    column: str | None = None  # the header as written in the file
    unit: str | None = None
    detail: dict | None = field(default=None, compare=False)

    def to_json(self) -> dict:
        # Field by field rather than dataclasses.asdict, which deep-copies every value: a
        # national tally reports 40,000 problems.
        data = {"code": self.code, "message": self.message, "severity": self.severity, "file": self.file,
                "sheet": self.sheet, "row": self.row, "column": self.column, "unit": self.unit}
        if self.detail is not None:
            data["detail"] = dict(self.detail)
        return data

    def where(self) -> str:
        """Vietnamese location text: 'tệp a.xlsx, trang tính Sheet1, dòng 4, cột "Họ và tên"'."""
        parts = []
        if self.file:
            parts.append(f"tệp {self.file}")
        if self.sheet:
            parts.append(f"trang tính {self.sheet}")
        if self.row is not None:
            parts.append(f"dòng {self.row}")
        if self.column:
            parts.append(f'cột "{self.column}"')
        if self.unit and not parts:
            parts.append(f"đơn vị {self.unit}")
        return ", ".join(parts)

    def text(self) -> str:
        label = "Lỗi" if self.severity == ERROR else "Ghi chú" if self.severity == NOTE else "Cảnh báo"
        where = self.where()
        return f"{label} [{self.code}] {where + ': ' if where else ''}{self.message}"


class Problems(list):
    """A list of Problem with helpers; keeps insertion order."""

    def add(self, code: str, message: str, severity: str = ERROR, **where) -> Problem:
        p = Problem(code=code, message=message, severity=severity, **where)
        self.append(p)
        return p

    def warn(self, code: str, message: str, **where) -> Problem:
        return self.add(code, message, WARNING, **where)

    def note(self, code: str, message: str, **where) -> Problem:
        return self.add(code, message, NOTE, **where)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self if p.severity == WARNING]

    def has_errors(self, strict: bool = False) -> bool:
        return any(p.severity == ERROR or (strict and p.severity == WARNING) for p in self)

    def to_json(self) -> list[dict]:
        return [p.to_json() for p in self]


class InputError(Exception):
    """Raised when the input cannot be used at all; carries every problem found so far."""

    def __init__(self, problems: list[Problem]):
        self.problems = Problems(problems)
        super().__init__("; ".join(p.text() for p in self.problems))


class UsageError(Exception):
    """Wrong usage (exit code 2): unknown option, missing file, bad option value."""
