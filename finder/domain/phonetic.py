"""Names heard and spelled: a French phonetic key, and an index of names found despite spelling mistakes.

The key (``word_key``, ``key``) follows our own simplified rules in the spirit of Soundex-FR and Phonex:
« Chanbéri » and « Chambéry », « Sinte-Foi » and « Sainte-Foy », « Faramen » and « Faramans », « Saulsset »
and « Saulcet » share their key. It takes lower-case words, with their accents or folded (``textnorm.words``
or ``textnorm.tokens``): a final é (Gleizé, Saint-Priés) is heard, a final plain e (Grenoble) is not.
Upper-case letters in a key are sound classes that later rules leave alone (C: a hard s, J: a soft g,
Y: a consonant y, S: ch, N and M: n and m before a final silent e, A: an/en, I: in/ain/ein/un, O: on,
U: ou, E: eu, W: oi). A few µs a word, cached.

``Spelling`` finds, among names, those near a query by letters (typos, swaps, glued words) or by sound
(phonetic key, link words such as « de », « la » left out), and those whose first words sound like it.
Pure: no geography here, names are plain folded strings.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from itertools import chain

from rapidfuzz import process
from rapidfuzz.distance import OSA

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


# Left out of the sound of a name: « Saint-Didier Mont d'Or » is « Saint-Didier-au-Mont-d'Or ».
LINK_WORDS = frozenset({"le", "la", "les", "lès", "l", "de", "du", "des", "d", "en", "aux", "au", "sur", "sous", "et"})
SAINTE = word_key("sainte")  # heard like Saint: « Sinte-Foi », « Saint-Julie » for Sainte-…
SAINT = word_key("saint")


class Spelling:
    """Names found despite spelling mistakes, by letters (typos) and by sound (phonetic key).

    A name's distance to the query is the smaller of: the edits (substitution, insertion, deletion,
    swap: optimal string alignment) between the two written without spaces, within a budget that
    grows with length; and half an edit plus the edits between their phonetic keys (link words such
    as de, la, sur left out), within a smaller budget.
    """

    def __init__(self, sounds: dict[str, set[str]]):
        """sounds: the phonetic keys of each name, word by word (folded, and heard with its accents)."""
        self.glued = {a: a.replace(" ", "") for a in sounds}
        self.sounds = {a: tuple({k.replace(" ", "") for k in keys}) for a, keys in sounds.items()}
        self.heads = sorted((k + " ", a) for a, keys in sounds.items() for k in keys)
        self.by_glued = _group((g, a) for a, g in self.glued.items())
        self.by_sound = _group((k, a) for a, keys in self.sounds.items() for k in keys)
        self.glued_keys = _by_length(self.by_glued)
        self.sound_keys = _by_length(self.by_sound)

    def near(self, words: list[str], spoken: list[str], allowed=None) -> list[tuple[str, float, int]]:
        """(name, distance, edits in letters) of the names near the query, among allowed when given.

        words: the query's folded words; spoken: the same words with their accents.
        """
        glued, heard = "".join(words), sound(spoken).replace(" ", "")
        by_letters, by_sound = letter_budget(len(glued)), sound_budget(len(heard))
        if 3 * len(heard) < len(glued):  # mostly link words (« la la la »): too little left to hear
            by_sound = -1
        if allowed is None:
            found = self._candidates(glued, self.glued_keys, self.by_glued, by_letters)
            found |= self._candidates(heard, self.sound_keys, self.by_sound, by_sound)
        else:
            found = set(allowed)
        out = []
        for alias in found:
            letters = OSA.distance(glued, self.glued[alias])
            heard_as = min(OSA.distance(heard, k) for k in self.sounds[alias])
            d = min(letters if letters <= by_letters else 99, heard_as + 0.5 if heard_as <= by_sound else 99)
            if d < 99:
                out.append((alias, d, letters))
        return out

    def starting(self, spoken: list[str]) -> set[str]:
        """Names whose first words sound like the query: « Sinte-Foi » starts « Sainte-Foy-lès-Lyon »."""
        head = sound(spoken) + " "
        if len(head) < 5:
            return set()
        out = set()
        i = bisect.bisect_left(self.heads, (head, ""))
        while i < len(self.heads) and self.heads[i][0].startswith(head):
            out.add(self.heads[i][1])
            i += 1
        return out

    @staticmethod
    def _candidates(q: str, keys: dict[int, list[str]], groups: dict[str, list[str]], budget: int) -> set[str]:
        """Names whose key is within budget edits of q (keys of q's length, give or take the budget)."""
        if budget < 0:
            return set()
        if budget == 0:
            return set(groups.get(q, ()))
        choices = list(chain.from_iterable(keys.get(n, ()) for n in range(len(q) - budget, len(q) + budget + 1)))
        found = process.extract(q, choices, scorer=OSA.distance, score_cutoff=budget, limit=12)
        return {alias for k, _, _ in found for alias in groups[k]}


def sound(words: list[str]) -> str:
    """Phonetic key of a name, word by word; link words left out but for the last (« Marcols-les-Eaux »)."""
    kept = [w for w in words[:-1] if w not in LINK_WORDS] + words[-1:]
    heard = (word_key(w) for w in kept)
    return " ".join(SAINT if k == SAINTE else k for k in heard)


def name_sounds(alias: str, spoken: list[str], folded: list[str]) -> set[str]:
    """Phonetic keys of an alias: folded, and heard with the accents of the name's words (spoken, and
    folded one for one), the alias being the name or its end (without its article)."""
    keys = {sound(alias.split())}
    for start in range(len(folded)):
        if " ".join(folded[start:]) == alias:
            keys.add(sound(spoken[start:]))
    return keys


def letter_budget(n: int) -> int:
    """Edits in letters allowed for a query of n letters: none below 4, then 1, 2 (8+), 3 (13+)."""
    return -1 if n < 4 else 1 if n < 8 else 2 if n < 13 else 3


def sound_budget(n: int) -> int:
    """Edits allowed between phonetic keys of n sounds: none below 2, then 0, 1 (7+), 2 (11+)."""
    return -1 if n < 2 else 0 if n < 7 else 1 if n < 11 else 2


def _by_length(keys) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for k in keys:
        out.setdefault(len(k), []).append(k)
    return out


def _group(pairs) -> dict[str, list[str]]:
    """(key, name) pairs to the names of each key."""
    out: dict[str, list[str]] = {}
    for k, alias in pairs:
        out.setdefault(k, []).append(alias)
    return out
