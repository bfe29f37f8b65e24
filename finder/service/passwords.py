"""Is a staff password strong enough? A deny-list, the account's name, and a small entropy estimate.

``weakness(password, username)`` returns a French reason, or None. The estimate is ours,
deliberately simple (in the spirit of zxcvbn, without its dictionaries): the password is
cut into runs of one repeated character, runs along the alphabet, digits or a keyboard row
(azerty and qwerty), words of the deny-list, and single characters; a run costs about the
bits of its first character plus the bits of its length, a word the bits of its rank in the
list, a character the bits of the alphabets the password uses. Twelve random lower-case
letters give 56 bits, twelve random digits 40, "azertyuiopqs" 9, twelve spaces 6.
"""

from __future__ import annotations

import math
import re

MIN_LENGTH = 12
MIN_BITS = 50.0
KEYBOARD_ROWS = ("azertyuiop", "qsdfghjklm", "wxcvbn", "qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890")
# The most common passwords and their roots (French and English), and words of this service.
COMMON = """
password motdepasse passe pass mdp secret azerty qwerty qwertz admin administrateur administrator root
user utilisateur login bonjour salut soleil coucou doudou chouchou loulou nicolas marseille paris lyon
france football iloveyou jetaime trustno1 letmein welcome bienvenue dragon monkey master sunshine
princess shadow superman batman pokemon starwars chocolat chouette amour toto tata titi test
changeme default demo exemple example spro orientation accueil auvergne rhone alpes region
conseil emploi mission locale travail service public annuaire personnel staff finder
""".split()
DIGITS_AND_SYMBOLS = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_CLASSES = (
    (str.islower, 26),
    (str.isupper, 26),
    (str.isdigit, 10),
    (str.isspace, 1),
)


def weakness(password: str, username: str = "") -> str | None:
    """Why ``password`` is too weak for a staff account (French), or None when it will do."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return f"Mot de passe trop court : {MIN_LENGTH} caractères au moins."
    folded = password.lower()
    if DIGITS_AND_SYMBOLS.sub("", folded).replace(" ", "") in COMMON or folded.strip() in COMMON:
        return "Mot de passe trop courant : choisissez une phrase ou des mots moins prévisibles."
    name = (username or "").strip().lower()
    if len(name) >= 3 and (name in folded or name[::-1] in folded or name.split("@")[0] in folded):
        return "Le mot de passe ne doit pas contenir l'identifiant."
    if estimate_bits(password) < MIN_BITS:
        return (
            "Mot de passe trop prévisible (répétitions, suites ou mots courants) : allongez-le, par exemple "
            "avec quelques mots sans rapport entre eux."
        )
    return None


def estimate_bits(password: str) -> float:
    """A rough lower estimate of the bits an attacker must guess (see the module's docstring)."""
    pool = _pool(password)
    text = password.lower()
    bits, i = 0.0, 0
    while i < len(text):
        word = _word_at(text, i)
        run = _run_at(text, i)
        if word and len(word) >= run:
            bits += math.log2(COMMON.index(word) + 2) + 1  # + 1: capitals or not
            i += len(word)
        elif run >= 3:
            bits += math.log2(pool) + math.log2(run) + 1
            i += run
        else:
            bits += math.log2(pool)
            i += 1
    return bits


def _pool(password: str) -> int:
    size = sum(n for test, n in _CLASSES if any(test(ch) for ch in password))
    if any(not ch.isalnum() and not ch.isspace() and ch.isascii() for ch in password):
        size += 33
    if any(not ch.isascii() for ch in password):
        size += 100
    return max(size, 2)


def _word_at(text: str, i: int) -> str | None:
    found = [w for w in COMMON if len(w) >= 4 and text.startswith(w, i)]
    return max(found, key=len) if found else None


def _run_at(text: str, i: int) -> int:
    """Length of the run starting at ``i``: one repeated character, or a sequence (alphabet, keyboard)."""
    same = 1
    while i + same < len(text) and text[i + same] == text[i]:
        same += 1
    step = 1
    while i + step < len(text) and _follows(text[i + step - 1], text[i + step]):
        step += 1
    return max(same, step)


def _follows(a: str, b: str) -> bool:
    if abs(ord(a) - ord(b)) == 1 and (a.isalnum() and b.isalnum()):
        return True
    return any(a + b in row or b + a in row for row in KEYBOARD_ROWS)
