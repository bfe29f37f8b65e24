"""A French phonetic key for place names: spellings of the same sound give the same key.

Our own simplified rules in the spirit of Soundex-FR and Phonex: « Chanbéri » and « Chambéry »,
« Sinte-Foi » and « Sainte-Foy », « Faramen » and « Faramans », « Saulsset » and « Saulcet » share
their key. Takes lower-case words, with their accents or folded (``textnorm.words`` or ``textnorm.tokens``): a final
é (Gleizé, Saint-Priés) is heard, a final plain e (Grenoble) is not. Upper-case letters in a
key are sound classes that later rules leave alone (C: a hard s, J: a soft g, Y: a consonant y, S: ch,
N and M: n and m before a final silent e,
A: an/en, I: in/ain/ein/un, O: on, U: ou, E: eu, W: oi). Pure; a few µs a word.
"""

from __future__ import annotations

import re
from functools import lru_cache

from finder.domain.textnorm import fold


def _nasal(m: re.Match) -> str:
    """an/am/en/em sound A; ain/aim/ein/eim sound I."""
    return "I" if m.group(0)[:2] in ("ai", "ei") else "A"


_NASAL_END = r"(?![aeiouynm])"  # a nasal vowel: n or m not followed by a vowel
# Rules in order; a plain pair of strings is a literal replacement (str.replace, much faster than re).
# Before doubled letters and silent final letters go: what the letters after c, g and s decide.
_FIRST = [
    ("ph", "f"),
    ("th", "t"),
    ("rh", "r"),
    ("qu", "k"),
    ("q", "k"),
    (r"ss|sc(?=[eiy])|c(?=[eiy])", "C", re),
    (r"ge(?=[aou])|g(?=[eiy])", "J", re),
    (r"gu(?=[eiy])", "g", re),
    (r"(?<=[aeiou])(?:ye|ill?e?)$", "Y", re),  # Marseille, Marseye, Mareuil: a final y sound
]
# Then.
_THEN = [
    ("sch", "S"),
    ("sh", "S"),
    ("ch", "S"),
    ("ck", "k"),
    ("c", "k"),
    ("gn", "ni"),
    ("w", "v"),
    ("x", "ks"),
    ("h", ""),
    (r"(?<=[aeiou])il(?=[aeiouy])", "Y", re),  # Mailly, Bailleul
    (r"(?<=[aeiou])y(?=[aeiou])", "Y", re),  # Mayet
    (r"(?<=[aeiouy])s(?=[aeiouy])", "z", re),
    ("eau", "o"),
    ("au", "o"),
    (r"oin" + _NASAL_END, "WI", re),
    (r"o[iy]", "W", re),
    ("ou", "U"),
    (r"oeu|oe|eu", "E", re),
    (r"(?:ai|ei|a|e)[nm]" + _NASAL_END, _nasal, re),
    (r"[iyu][nm]" + _NASAL_END, "I", re),
    (r"o[nm]" + _NASAL_END, "O", re),
    (r"ai|ei|ay|ey", "e", re),
    ("y", "i"),
    ("C", "s"),
    ("J", "j"),
]
_FINAL_E_ACUTE = re.compile(r"é(?:e?s?)$")


def _compiled(rules: list[tuple]) -> list:
    """Each rule as a function of the word."""
    out = []
    for old, new, *regex in rules:
        if regex:
            out.append(lambda w, p=re.compile(old), r=new: p.sub(r, w))
        else:
            out.append(lambda w, o=old, n=new: w.replace(o, n))
    return out


_FIRST_STEPS = _compiled(_FIRST)
_THEN_STEPS = _compiled(_THEN)
_DOUBLE = re.compile(r"([a-zA-Z])\1+")
_NOT_NASAL = re.compile(r"(?<=[aeiouy])[nm](?=e[sxzt]*$)")  # Domène, Villeurbanne: n or m, then a silent e
_SILENT_CONSONANTS = re.compile(r"(?<=..)[sxztdpg]{1,2}$")


def _silent_end(w: str) -> str:
    """Without a final schwa (Grenoble, Rives), or else one or two final silent consonants (Priest, Vals, Bourg)."""
    if len(w) > 3 and w.endswith("es"):
        return w[:-2]
    if len(w) > 2 and w.endswith("e"):
        return w[:-1]
    return _SILENT_CONSONANTS.sub("", w)


@lru_cache(maxsize=16384)
def word_key(word: str) -> str:
    """The key of one word: « chambéry » and « chanberi » → « SAberi »."""
    w = fold(_FINAL_E_ACUTE.sub("ai", word))  # Gleizé, Gleizai, Gleizez, Gleizet: the same sound
    for step in _FIRST_STEPS:
        w = step(w)
    w = _NOT_NASAL.sub(lambda m: m.group(0).upper(), _DOUBLE.sub(r"\1", w))
    w = _silent_end(w)
    for step in _THEN_STEPS:
        w = step(w)
    return _DOUBLE.sub(r"\1", w)


def key(words: list[str]) -> str:
    """The key of words, glued: a missing hyphen or space changes nothing."""
    return "".join(word_key(w) for w in words)
