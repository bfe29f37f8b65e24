"""Texts shown to people, marked for translation where they are written.

French is the source language: a msgid is the French text itself (with ``%(name)s`` placeholders
for values). ``N_`` marks a text for extraction by Babel (``scripts/i18n extract``) and returns a
``Text``: a plain ``str`` in French, that still knows its msgid and values so that the web layer
(``finder.web.i18n.translate``) can give it in the reader's language. Nothing here depends on Flask.
"""

from __future__ import annotations


class Text(str):
    """The French text of a msgid with its values; ``str(text)`` is the French sentence."""

    msgid: str
    values: dict

    def __new__(cls, msgid: str, values: dict | None = None):
        self = super().__new__(cls, msgid % values if values else msgid)
        self.msgid = msgid
        self.values = values or {}
        return self

    def __reduce__(self):
        return (Text, (self.msgid, self.values))


def N_(msgid: str, **values) -> Text:
    """Mark a French text for translation; values fill its ``%(name)s`` placeholders."""
    return Text(msgid, values)
