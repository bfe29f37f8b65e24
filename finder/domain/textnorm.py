"""Text normalisation for matching French place names."""

from __future__ import annotations

import re
import unicodedata

_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_SEPARATORS = re.compile(r"[\s\-'’`´,;./()]+")


def fold(text: str) -> str:
    """Lower case, accents removed, œ/æ expanded."""
    if text.isascii():
        return text.lower()
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    """Folded words; St/Ste expanded; hyphens, apostrophes and punctuation are separators."""
    return [_ABBREVIATIONS.get(t, t) for t in _SEPARATORS.split(fold(text)) if t]


def words(text: str) -> list[str]:
    """Lower-case words keeping their accents, split and expanded as by tokens (folded, they are tokens,
    but for rare characters that fold into separators, such as « … »)."""
    return [_ABBREVIATIONS.get(fold(t), t) for t in _SEPARATORS.split(text.lower()) if t]


def normalise(text: str) -> str:
    return " ".join(tokens(text))
