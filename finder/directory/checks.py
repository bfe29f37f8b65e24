"""Checks of single cell values: each returns the normalised value or raises Problem (French message).

Pure functions, no geography: numbers (French decimal comma accepted), dates, booleans,
vocabulary codes with the closest valid one suggested, phone, e-mail, URL, opening_hours (and the
warnings a valid expression may deserve: ``hours_warnings``).
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import unicodedata
from functools import lru_cache
from urllib.parse import urlsplit

TRUE_WORDS = {"oui", "o", "vrai", "true", "1", "yes", "x"}
FALSE_WORDS = {"non", "n", "faux", "false", "0", "no"}
PHONE = re.compile(r"^(0[1-9]\d{8}|\+33[1-9]\d{8}|3\d{3})$")
EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,63}$"
)
HOST = re.compile(r"^[A-Za-z0-9.-]+\.[A-Za-z]{2,63}$|^localhost$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Problem(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def number(raw: str) -> float:
    """A decimal number; the French decimal comma is accepted ("45,75")."""
    text = raw.strip().replace("\u00a0", "").replace(" ", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        raise Problem("not_a_number", f"« {raw} » n'est pas un nombre.") from None
    if not math.isfinite(value):
        raise Problem("not_a_number", f"« {raw} » n'est pas un nombre fini.")
    return value


def integer(raw: str, lo: int, hi: int) -> int:
    text = raw.strip()
    if re.fullmatch(r"\d+(\.0+)?", text):
        value = int(float(text))
    else:
        raise Problem("not_an_integer", f"« {raw} » n'est pas un nombre entier.")
    if not lo <= value <= hi:
        raise Problem("out_of_range", f"{value} n'est pas compris entre {lo} et {hi}.")
    return value


def date(raw: str) -> str:
    """An ISO date from AAAA-MM-JJ or JJ/MM/AAAA."""
    text = raw.strip()
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if m:
        text = f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}"
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise Problem("invalid_date", f"Date invalide « {raw} » : attendu AAAA-MM-JJ ou JJ/MM/AAAA.") from None


def boolean(raw: str) -> bool | None:
    text = raw.strip().lower()
    if text == "":
        return None
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise Problem("invalid_boolean", f"« {raw} » : attendu oui ou non.")


@lru_cache(maxsize=8192)
def slug(text: str) -> str:
    """The code-like form of a text: lower case, no accents, one hyphen for spaces, apostrophes and
    underscores (« Mission locale » → ``mission-locale``). How codes and names are compared."""
    text = unicodedata.normalize("NFKD", text.strip().lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[\s_'’]+", "-", text)


def suggest(raw: str, allowed, labels: dict[str, str] | None = None) -> str | None:
    """The valid code closest to ``raw`` (by code, or by French label), or None."""
    key = slug(raw)
    if key in allowed:
        return key
    by_label = {slug(label): code for code, label in (labels or {}).items()}
    if key in by_label:
        return by_label[key]
    pool = list(allowed) + list(by_label)
    close = difflib.get_close_matches(key, pool, n=1, cutoff=0.6)
    if not close:
        return None
    return by_label.get(close[0], close[0])


def code(raw: str, allowed, labels: dict[str, str] | None = None) -> str:
    text = raw.strip()
    if text in allowed:
        return text
    hint = suggest(text, allowed, labels)
    tail = f" Vouliez-vous dire « {hint} » ?" if hint else f" Codes valides : {', '.join(sorted(allowed))}."
    raise Problem("unknown_code", f"Code inconnu « {text} ».{tail}")


def codes(raw: str, allowed, labels: dict[str, str] | None = None, separator: str = ",") -> tuple[str, ...]:
    """Separated codes, each checked; duplicates are dropped, order kept."""
    out: list[str] = []
    for part in raw.split(separator):
        if part.strip():
            value = code(part, allowed, labels)
            if value not in out:
                out.append(value)
    return tuple(out)


def phone(raw: str) -> str:
    """One phone number; kept as written once checked."""
    digits = re.sub(r"[\s.\-()/\u00a0]", "", raw)
    if not PHONE.fullmatch(digits):
        raise Problem(
            "invalid_phone",
            f"Téléphone invalide « {raw} » : un seul numéro, 10 chiffres commençant par 0, +33 suivi de 9 chiffres "
            "ou numéro court 3xxx.",
        )
    return raw.strip()


def email(raw: str) -> str:
    text = raw.strip()
    if len(text) > 254 or not EMAIL.fullmatch(text):
        raise Problem("invalid_email", f"Courriel invalide « {raw} ».")
    return text


# Web addresses that ``_url`` accepts as written, recognised without parsing them: http(s), a host name, a
# path of safe characters.
PLAIN_URL = re.compile(r"https?://[A-Za-z0-9.-]+\.[A-Za-z]{2,63}(?:/[A-Za-z0-9._~/-]*)?")


@lru_cache(maxsize=8192)
def url(raw: str) -> str:
    """A web address (http or https). The plain ones (most) are accepted without parsing them."""
    text = raw.strip()
    if len(text) <= 2000 and PLAIN_URL.fullmatch(text):
        return text
    return _url(raw)


def _url(raw: str) -> str:
    text = raw.strip()
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
    except ValueError:
        parts, host = None, ""
    bad_chars = any(ch in text for ch in ' <>"\\{}|^`') or CONTROL.search(text)
    if parts is None or parts.scheme not in ("http", "https") or not HOST.fullmatch(host) or bad_chars:
        raise Problem("invalid_url", f"Adresse web invalide « {raw} » : elle doit commencer par http:// ou https://.")
    if len(text) > 2000:
        raise Problem("invalid_url", "Adresse web trop longue (2 000 caractères au plus).")
    return text


@lru_cache(maxsize=4096)
def _hours_ok(text: str) -> bool:
    from finder.domain import hours  # the parser the citizen pages use

    return hours.is_valid(text)


def hours(raw: str) -> str:
    text = raw.strip()
    if not _hours_ok(text):
        raise Problem(
            "invalid_opening_hours",
            f"Horaires invalides « {raw} » : syntaxe OpenStreetMap opening_hours attendue, "
            "par exemple « Mo-Fr 09:00-12:00,14:00-17:00 ».",
        )
    return text


@lru_cache(maxsize=4096)
def hours_warnings(text: str) -> tuple[tuple[str, str], ...]:
    """Warnings on a valid opening_hours expression, as (code, French message): a later rule that
    replaces an earlier one's hours, an exception cancelled by a later rule, public holidays unstated."""
    from finder.domain import hours as oh

    out = []
    rule = "une règle placée après une autre la remplace pour les jours qu'elle vise"
    for o in oh.overrides(text):
        lost = ", ".join(oh.span_text(a, b) for a, b in o.lost)
        tail = ""
        if added := oh.added_up(text):
            tail += f" Si les horaires s'ajoutent, écrivez « {added} »"
        if written := oh.as_written(text):
            tail += f"{' ;' if tail else ''} si c'est voulu, écrivez sans chevauchement « {written} »"
        out.append(
            (
                "opening_hours_override",
                f"Horaires : la règle « {o.later} » remplace « {o.earlier} » {oh.weekdays_text(o.weekdays, True)} "
                f"({rule}) : {lost} ne compte plus ces jours-là.{tail}{'.' if tail else ''}",
            )
        )
    for exception, later in oh.misplaced_exceptions(text):
        fixed = oh.exceptions_last(text)
        out.append(
            (
                "opening_hours_exception_cancelled",
                f"Horaires : l'exception « {exception} » est annulée par la règle « {later} » écrite après elle "
                f"({rule}). Placez les exceptions (jours fériés, congés, fermetures) en dernier"
                + (f" : « {fixed} »." if fixed else "."),
            )
        )
    if not oh.states_holidays(text):
        out.append(
            (
                "opening_hours_holidays_unstated",
                "Horaires : les jours fériés ne sont pas indiqués ; ces jours-là, les pages diront « jour férié : "
                "appelez avant ». Ajoutez « ; PH off » si le lieu est fermé les jours fériés, ou ses horaires ces "
                "jours-là (« ; PH 09:00-12:00 »).",
            )
        )
    return tuple(out)


def text(raw: str, max_length: int, multiline: bool = False) -> str:
    value = raw.strip()
    if CONTROL.search(value) or (not multiline and ("\n" in value or "\r" in value)):
        raise Problem("control_characters", "Le texte contient des caractères de contrôle ou des retours à la ligne.")
    if len(value) > max_length:
        raise Problem("too_long", f"Texte trop long : {len(value)} caractères, {max_length} au plus.")
    return value
