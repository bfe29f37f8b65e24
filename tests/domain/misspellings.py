"""Deterministic misspellings of real commune names, to measure the offline geocoder.

Not shipped: used by tests/domain/test_geocode_spelling.py and scripts/bench_geocode.py.

``sample(geo)`` draws a stratified sample of the region's communes (population bands crossed with the
shape of the name: Saint/Sainte, article, hyphen, accent, plain); ``table(geo)`` writes each of them as
people who spell French poorly might, one variant per kind of mistake that applies to the name:

- ``typo1``: one slip on an AZERTY keyboard (neighbouring key, missing, extra or doubled letter);
- ``typo2``: two slips, on names of at least 8 letters (on shorter ones two slips make another word);
- ``swap``: two neighbouring letters swapped;
- ``saint``: a letter missing or added in Saint/Sainte (« Sain », « Sant », « Sainte » for « Saint »…);
- ``phonetic``: one or two spellings of the same sound (an/en, in/ain/ein, au/o/eau, ph/f, qu/k, c/ss,
  ill/y, y/i, oi/oy, silent final letters, doubled or single consonants, é/è/ê/e/er/ai…);
- ``accents``: accents missing or wrong;
- ``hyphen``: two words glued (a hyphen left out without a space);
- ``article``: an article or « de/du/des/d' » left out, or the wrong article.

A variant equal to the exact name of another commune is left out (the geocoder must answer that commune:
a correct name is never corrected), as is a variant that does not change the normalised name (except for
accents, whose point is that they do not matter). Same seed, same geography: same table.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from finder.domain.textnorm import normalise

SEED = 13
KINDS = ("typo1", "typo2", "swap", "saint", "phonetic", "accents", "hyphen", "article")
BANDS = ((0, 300), (300, 1_000), (1_000, 5_000), (5_000, 10**9))
SHAPES = ("saint", "article", "hyphen", "accent", "plain")

AZERTY = ("azertyuiop", "qsdfghjklm", "wxcvbn")
ARTICLES = ("le", "la", "les", "l")
LINKS = ("de", "du", "des", "d", "l", "le", "la", "les", "lès", "en", "aux", "au", "sur", "sous")
V = "aeiouyàâäéèêëîïôöùûü"  # vowels, for the patterns of SOUNDS


@dataclass(frozen=True)
class Case:
    query: str
    kind: str
    insee: str  # the commune whose name was misspelled
    name: str


def _neighbours() -> dict[str, str]:
    near: dict[str, str] = {}
    for r, row in enumerate(AZERTY):
        for i, ch in enumerate(row):
            around = [row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)]
            for other in (r - 1, r + 1):
                if 0 <= other < len(AZERTY):
                    around += [AZERTY[other][j] for j in (i - 1, i, i + 1) if 0 <= j < len(AZERTY[other])]
            near[ch] = "".join(around)
    return near


NEAR = _neighbours()


def shape_of(name: str) -> str:
    words = normalise(name).split()
    if {"saint", "sainte", "saints", "saintes"} & set(words):
        return "saint"
    if words[0] in ARTICLES or set(words[1:]) & {"le", "la", "les", "l"}:
        return "article"
    if "-" in name:
        return "hyphen"
    if normalise(name) != name.lower():
        return "accent"
    return "plain"


def sample(geo, size: int = 520, seed: int = SEED) -> list:
    """A stratified sample of the region's communes (Lyon's arrondissements excluded), by insee order."""
    rng = random.Random(seed)
    communes = sorted((c for c in geo.communes.values() if c.kind == "COM"), key=lambda c: c.insee)
    strata: dict[tuple, list] = {}
    for c in communes:
        band = next(i for i, (lo, hi) in enumerate(BANDS) if lo <= c.population < hi)
        strata.setdefault((shape_of(c.name), band), []).append(c)
    per = size // (len(SHAPES) * len(BANDS))
    chosen = []
    for key in sorted(strata):
        group = strata[key]
        chosen += rng.sample(group, min(per, len(group)))
    taken = {c.insee for c in chosen}
    rest = [c for c in communes if c.insee not in taken]
    chosen += rng.sample(rest, size - len(chosen))
    return sorted(chosen, key=lambda c: c.insee)


def table(geo, size: int = 520, seed: int = SEED) -> list[Case]:
    """Misspellings of each kind that applies to each sampled commune."""
    rng = random.Random(seed)
    exact = Counter()
    for c in geo.communes.values():
        exact[normalise(c.name)] += 1
    cases = []
    for c in sample(geo, size, seed):
        for kind in KINDS:
            q = _variant(c.name, kind, rng)
            if q is None:
                continue
            key = normalise(q)
            if key in exact and key != normalise(c.name):
                continue  # another commune's exact name
            if key == normalise(c.name) and kind != "accents":
                continue
            cases.append(Case(q, kind, c.insee, c.name))
    return cases


def _variant(name: str, kind: str, rng: random.Random) -> str | None:
    if kind == "typo1":
        return _slip(name, rng)
    if kind == "typo2":
        return _slip(_slip(name, rng), rng) if sum(ch.isalpha() for ch in name) >= 8 else None
    return {
        "swap": _swap,
        "saint": _saint,
        "phonetic": _phonetic,
        "accents": _accents,
        "hyphen": _glue,
        "article": _article,
    }[kind](name, rng)


def _letters(name: str) -> list[int]:
    return [i for i, ch in enumerate(name) if ch.isalpha()]


def _slip(name: str, rng: random.Random) -> str:
    i = rng.choice(_letters(name))
    ch = name[i]
    near = NEAR.get(_base(ch).lower(), "e")
    how = rng.choice(("near", "missing", "extra", "double"))
    if how == "near":
        return name[:i] + rng.choice(near) + name[i + 1 :]
    if how == "missing":
        return name[:i] + name[i + 1 :]
    if how == "extra":
        return name[: i + 1] + rng.choice(near) + name[i + 1 :]
    return name[: i + 1] + ch.lower() + name[i + 1 :]


def _swap(name: str, rng: random.Random) -> str | None:
    spots = [i for i in _letters(name) if i + 1 < len(name) and name[i + 1].isalpha() and name[i] != name[i + 1]]
    if not spots:
        return None
    i = rng.choice(spots)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


SAINT = re.compile(r"\b(Saint|Sainte|Saints|Saintes)\b")


def _saint(name: str, rng: random.Random) -> str | None:
    found = list(SAINT.finditer(name))
    if not found:
        return None
    m = rng.choice(found)
    word = m.group(1)
    forms = {word[:i] + word[i + 1 :] for i in range(1, len(word))}  # a letter missing: Sant, Sain, Sainte→Saint
    forms |= {word[: i + 1] + word[i] + word[i + 1 :] for i in range(len(word))}  # a doubled letter
    forms |= {word + "e", word + "t", "Sint" + word[5:], "Sein" + word[4:], "Saing" + word[5:], "Sinte"[: len(word)]}
    forms.discard(word)
    form = rng.choice(sorted(forms))
    return name[: m.start()] + form + name[m.end() :]


# Spellings of the same sound, as (pattern, replacements); a rule applies where its pattern occurs.
SOUNDS = [
    (rf"an(?=[^{V}])", ["en"]),
    (rf"en(?=[^{V}])", ["an"]),
    (r"am(?=[bp])", ["an", "em"]),
    (r"em(?=[bp])", ["en", "am"]),
    (r"ain", ["in", "ein"]),
    (r"ein", ["in", "ain"]),
    (rf"(?<![aeo])in(?=[^{V}]|$)", ["ain", "ein"]),
    (r"(?<![cg])eau", ["o", "au"]),
    (r"(?<!e)au", ["o", "eau"]),
    (rf"(?<=[^{V}])o(?=[^{V}n])", ["au"]),
    (rf"(?<=[^{V}cg])o(?=[^{V}n])", ["eau"]),
    (r"ph", ["f"]),
    (r"qu", ["k", "q"]),
    (r"c(?=[eiy])", ["ss", "s"]),
    (r"ç", ["ss", "s"]),
    (rf"(?<=[{V}])ss(?=[eiyéèê])", ["c"]),
    (rf"(?<=[{V}])ill", ["y"]),
    (r"y", ["i"]),
    (rf"(?<=[{V}])i(?=[{V}])", ["y"]),
    (r"oy", ["oi"]),
    (r"oi", ["oy"]),
    (r"(?<=[a-z])[stxdz](?=\b)", [""]),
    (r"(?<=[a-z])(?<![nmcg])e(?=\b)", [""]),
    (rf"(?<=[{V}])([lmnprtf])(?=[{V}])", ["DOUBLE"]),
    (r"([lmnprtfc])\1", ["SINGLE"]),
    (r"[éèê]", ["e", "é", "è", "ê", "ai"]),
    (r"é(?=\b)", ["er", "ez", "ai"]),
    (rf"(?<=[a-z])e(?=[^{V}\s-][^{V}\s-])", ["é", "è"]),
    (r"ch", ["sh"]),
    (r"ge(?=[aou])", ["j"]),
    (rf"(?<=[{V}])s(?=[{V}])", ["z"]),
    (r"x(?=\b)", ["s"]),
    (r"(?<=[tr])h", [""]),
    (r"^h|(?<=[\s-])h", [""]),
    (r"gn", ["ni"]),
    (r"k", ["c", "qu"]),
]
_SOUNDS = [(re.compile(p, re.IGNORECASE), subs) for p, subs in SOUNDS]


def _phonetic(name: str, rng: random.Random) -> str | None:
    out = name
    rules = [r for r in _SOUNDS if r[0].search(name)]
    if not rules:
        return None
    for pattern, subs in rng.sample(rules, min(len(rules), rng.choice((1, 2)))):
        spots = list(pattern.finditer(out))
        if not spots:
            continue
        m = rng.choice(spots)
        sub = rng.choice(subs)
        if sub == "DOUBLE":
            sub = m.group(0) * 2
        elif sub == "SINGLE":
            sub = m.group(0)[0]
        elif m.group(0)[:1].isupper():
            sub = sub.capitalize()
        out = out[: m.start()] + sub + out[m.end() :]
    return out.replace("yy", "yi")


def _base(ch: str) -> str:
    return unicodedata.normalize("NFKD", ch)[0]


def _accents(name: str, rng: random.Random) -> str:
    how = rng.choice(("none", "wrong"))
    if how == "none":
        return "".join(_base(ch) for ch in name)
    out = []
    for ch in name:
        if _base(ch).lower() == "e" and ch.lower() != "e" or ch == "e" and rng.random() < 0.15:
            ch = rng.choice("éèêe")
        out.append(ch)
    return "".join(out)


def _glue(name: str, rng: random.Random) -> str | None:
    spots = [m.start() for m in re.finditer(r"[-\s](?=\w)", name)]
    if not spots:
        return None
    i = rng.choice(spots)
    return name[:i] + name[i + 1 :]


def _article(name: str, rng: random.Random) -> str | None:
    words = re.split(r"([\s\-']+)", name)  # words and separators, alternately
    spots = [i for i in range(0, len(words), 2) if words[i].lower() in LINKS]
    if not spots:
        return None
    i = rng.choice(spots)
    word = words[i].lower()
    if i == 0 and word in ARTICLES and rng.random() < 0.4:
        other = rng.choice([a for a in ("Le", "La", "Les") if a.lower() != word])
        return other + " " + "".join(words[2:])
    del words[i : i + 2]  # the word and the separator after it
    return "".join(words).strip(" -'")


def exact_queries(geo) -> list[tuple[str, str]]:
    """(query, expected INSEE) for every commune by its exact name, then with each of its postcodes.

    Homonyms: the most populous first (then the lower INSEE code), as the geocoder ranks them; with a
    postcode, among the namesakes having that postcode. Lyon's postcodes belong to its arrondissements.
    """
    by_name: dict[str, list] = {}
    for c in geo.communes.values():
        by_name.setdefault(normalise(c.name), []).append(c)
    for group in by_name.values():
        group.sort(key=lambda c: (-c.population, c.insee))
    out = []
    for c in sorted(geo.communes.values(), key=lambda c: c.insee):
        out.append((c.name, by_name[normalise(c.name)][0].insee))
    for n, c in enumerate(sorted(geo.communes.values(), key=lambda c: c.insee)):
        if c.insee == "69123":
            continue
        for p in c.postcodes:
            first = next(h for h in by_name[normalise(c.name)] if p in h.postcodes)
            out.append((f"{p} {c.name}" if n % 2 == 0 else f"{c.name} {p}", first.insee))
    return out


def right(found, case: Case, geo) -> bool:
    """The first answer is the commune meant, or a namesake (nothing in the query tells them apart)."""
    return bool(found) and normalise(geo.communes[found[0].insee].name) == normalise(case.name)
