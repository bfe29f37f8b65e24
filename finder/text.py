"""Texts shown to people, marked for translation where they are written.

French is the source language: a msgid is the French text itself (with ``%(name)s`` placeholders
for values). ``N_`` marks a text for extraction by Babel (``scripts/i18n extract``) and returns a
``Text``: a plain ``str`` in French, that still knows its msgid and values so that the web layer
(``finder.web.i18n.translate``) can give it in the reader's language. ``NP_`` marks a text with a
plural form (``ngettext`` once translated). ``join`` and ``first_letter`` compose texts the same
way (a list of labels, a label lower-cased inside a sentence). Nothing here depends on Flask.
"""

from __future__ import annotations


class Text(str):
    """The French text of a msgid with its values; ``str(text)`` is the French sentence.

    ``parts``/``sep``: a joined list (each part translated, then joined); ``case``: "lower" or
    "upper" changes the first letter once translated; ``plural``: the plural msgid, chosen by the
    value ``num`` (in French for ``num`` > 1; in other languages by their own plural rule)."""

    msgid: str
    values: dict
    parts: tuple | None
    sep: str
    case: str | None
    plural: str | None

    def __new__(
        cls,
        msgid: str,
        values: dict | None = None,
        parts=None,
        sep: str = "",
        case: str | None = None,
        plural: str | None = None,
    ):
        source = plural if plural is not None and values["num"] > 1 else msgid
        french = sep.join(parts) if parts is not None else (source % values if values else source)
        self = super().__new__(cls, _case(french, case))
        self.msgid, self.values, self.parts, self.sep, self.case = msgid, values or {}, parts, sep, case
        self.plural = plural
        return self

    def __reduce__(self):
        return (Text, (self.msgid, self.values, self.parts, self.sep, self.case, self.plural))


def _case(text: str, case: str | None) -> str:
    if case == "lower":
        return text[:1].lower() + text[1:]
    if case == "upper":
        return text[:1].upper() + text[1:]
    return text


def N_(msgid: str, **values) -> Text:
    """Mark a French text for translation; values fill its ``%(name)s`` placeholders."""
    return Text(msgid, values)


def NP_(singular: str, plural: str, num: int, **values) -> Text:
    """Mark a French text with a plural form; ``%(num)s`` is the count that chooses between them."""
    return Text(singular, {"num": num, **values}, plural=plural)


def join(sep: str, parts) -> Text:
    """Texts joined by ``sep`` (itself a text to translate when it is a word: `` ou ``)."""
    return Text("", parts=tuple(parts), sep=sep)


def first_letter(text: str, case: str) -> Text:
    """``text`` with its first letter lower- or upper-cased, after translation."""
    if isinstance(text, Text):
        return Text(text.msgid, text.values, text.parts, text.sep, case, text.plural)
    return Text(_case(text, case), case=case)


def in_language(text: str, gettext, ngettext=None) -> str:
    """``text`` in the language of ``gettext`` (msgid -> translation) and ``ngettext`` (singular,
    plural, count -> translation); any plain str as is."""
    if not isinstance(text, Text):
        return text
    if text.parts is not None:
        out = in_language(text.sep, gettext, ngettext).join(in_language(p, gettext, ngettext) for p in text.parts)
    else:
        if text.plural is not None:
            num = text.values["num"]
            out = ngettext(text.msgid, text.plural, num) if ngettext else (text.plural if num > 1 else text.msgid)
        else:
            out = gettext(text.msgid)
        if text.values:
            out = out % {k: in_language(v, gettext, ngettext) for k, v in text.values.items()}
    return _case(out, text.case)
