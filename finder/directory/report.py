"""Validation report of an import: one issue per line and field, errors apart from warnings.

Line numbers are the file's row numbers as a spreadsheet shows them: 1 is the header,
0 the whole file. Errors block the publication; warnings do not.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

ERROR = "erreur"
WARNING = "avertissement"
CSV_HEADER = ("ligne", "champ", "gravite", "code", "message", "valeur")


@dataclass(frozen=True)
class Issue:
    line: int
    field: str | None
    severity: str
    code: str
    message: str
    value: str = ""


@dataclass
class Report:
    issues: list[Issue] = field(default_factory=list)
    rows: int = 0  # data rows read
    facts: dict = field(default_factory=dict)  # figures for the summary (geocoded rows, encoding...)

    def error(self, line: int, fld: str | None, code: str, message: str, value="") -> None:
        self.issues.append(Issue(line, fld, ERROR, code, message, _short(value)))

    def warning(self, line: int, fld: str | None, code: str, message: str, value="") -> None:
        self.issues.append(Issue(line, fld, WARNING, code, message, _short(value)))

    @property
    def errors(self) -> list[Issue]:
        """Errors by line (the file's order), then field."""
        return sorted((i for i in self.issues if i.severity == ERROR), key=_order)

    @property
    def warnings(self) -> list[Issue]:
        return sorted((i for i in self.issues if i.severity == WARNING), key=_order)

    @property
    def ok(self) -> bool:
        return not any(i.severity == ERROR for i in self.issues)

    def sorted(self) -> list[Issue]:
        return sorted(self.issues, key=lambda i: (i.line, i.severity != ERROR, i.field or ""))

    def count(self) -> tuple[int, int]:
        """(errors, warnings)."""
        errors = sum(i.severity == ERROR for i in self.issues)
        return errors, len(self.issues) - errors

    def lines_with(self, code: str) -> list[int]:
        return sorted({i.line for i in self.issues if i.code == code})

    def summary(self) -> str:
        e, w = self.count()
        head = f"{self.rows} ligne(s) lue(s) : {e} erreur(s), {w} avertissement(s)."
        return head + (" Import possible." if self.ok else " Import refusé : corrigez les erreurs.")

    def to_text(self) -> str:
        """Plain-text report: the summary, then errors, then warnings, each by line."""
        lines = [self.summary()]
        for title, issues in (("Erreurs (bloquantes)", self.errors), ("Avertissements", self.warnings)):
            if issues:
                lines.append(f"{title} :")
            for i in issues:
                where = f"ligne {i.line}" if i.line else "fichier"
                lines.append(f"  {where} [{i.field or '-'}] : {i.message}")
        return "\n".join(lines) + "\n"

    def as_rows(self) -> list[list[str]]:
        return [[str(i.line), i.field or "", i.severity, i.code, i.message, i.value] for i in self.sorted()]

    def to_json(self) -> str:
        return json.dumps(
            {"rows": self.rows, "facts": self.facts, "issues": [asdict(i) for i in self.issues]}, ensure_ascii=False
        )

    @classmethod
    def from_json(cls, text: str) -> Report:
        data = json.loads(text)
        return cls(issues=[Issue(**i) for i in data["issues"]], rows=data["rows"], facts=data.get("facts", {}))


def _order(issue: Issue) -> tuple:
    return issue.line, issue.field or ""


def _short(value, limit: int = 120) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
