"""Texts shown to people, marked for translation where they are written.

French is the source language: a msgid is the French text itself (with ``%(name)s`` placeholders
for values). ``N_`` marks a text for extraction by Babel (``scripts/i18n extract``) and returns a
``Text``: a plain ``str`` in French, that still knows its msgid and values so that the web layer
(``finder.web.i18n.translate``) can give it in the reader's language. ``join`` and ``first_letter``
compose texts the same way (a list of labels, a label lower-cased inside a sentence). Nothing here
depends on Flask.
"""

from __future__ import annotations


class Text(str):
    """The French text of a msgid with its values; ``str(text)`` is the French sentence.

    ``parts``/``sep``: a joined list (each part translated, then joined); ``case``: "lower" or
    "upper" changes the first letter once translated."""

    msgid: str
    values: dict
    parts: tuple | None
    sep: str
    case: str | None

    def __new__(cls, msgid: str, values: dict | None = None, parts=None, sep: str = "", case: str | None = None):
        french = sep.join(parts) if parts is not None else (msgid % values if values else msgid)
        self = super().__new__(cls, _case(french, case))
        self.msgid, self.values, self.parts, self.sep, self.case = msgid, values or {}, parts, sep, case
        return self

    def __reduce__(self):
        return (Text, (self.msgid, self.values, self.parts, self.sep, self.case))


def _case(text: str, case: str | None) -> str:
    if case == "lower":
        return text[:1].lower() + text[1:]
    if case == "upper":
        return text[:1].upper() + text[1:]
    return text


def N_(msgid: str, **values) -> Text:
    """Mark a French text for translation; values fill its ``%(name)s`` placeholders."""
    return Text(msgid, values)


def join(sep: str, parts) -> Text:
    """Texts joined by ``sep`` (itself a text to translate when it is a word: `` ou ``)."""
    return Text("", parts=tuple(parts), sep=sep)


def first_letter(text: str, case: str) -> Text:
    """``text`` with its first letter lower- or upper-cased, after translation."""
    if isinstance(text, Text):
        return Text(text.msgid, text.values, text.parts, text.sep, case)
    return Text(_case(text, case), case=case)


def in_language(text: str, gettext) -> str:
    """``text`` in the language of ``gettext`` (msgid -> translation); any plain str as is."""
    if not isinstance(text, Text):
        return text
    if text.parts is not None:
        out = in_language(text.sep, gettext).join(in_language(p, gettext) for p in text.parts)
    else:
        out = gettext(text.msgid)
        if text.values:
            out = out % {k: in_language(v, gettext) for k, v in text.values.items()}
    return _case(out, text.case)
