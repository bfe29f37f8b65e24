"""Plain French lines about a site for a person: who it is for, why it suits, competence, CEP.

Each line is a ``finder.text.Text`` (French as a str, translated by the web layer)."""

from __future__ import annotations

from finder.domain import vocab
from finder.domain.criteria import Criteria
from finder.domain.model import Site
from finder.text import N_, first_letter, join

YOURS = {
    "mission-locale": N_("Votre Mission locale"),
    "cio": N_("Votre CIO"),
    "cap-emploi": N_("Votre Cap emploi"),
}
OTHER_SECTOR = N_("Autre secteur : appelez avant de vous déplacer")


def age_text(site: Site) -> str | None:
    """'16 à 25 ans', 'dès 16 ans', "jusqu'à 25 ans" (None without bounds)."""
    lo, hi = site.age_min, site.age_max
    if lo is not None and hi is not None:
        return N_("%(lo)s à %(hi)s ans", lo=lo, hi=hi)
    if lo is not None:
        return N_("dès %(lo)s ans", lo=lo)
    if hi is not None:
        return N_("jusqu'à %(hi)s ans", hi=hi)
    return None


def _short(label: str) -> str:
    """'Élève (collège, lycée)' -> 'élève (collège, lycée)'; 'Niveau 5 (bac+2 : BTS, DUT)' -> 'niveau 5'."""
    if label.startswith("Niveau "):
        return N_("niveau %(n)s", n=label.split()[1])
    return first_letter(label, "lower")


def qualifications_text(codes) -> str:
    """'niveau 5 ou plus' for a run up to level 8, else the levels listed."""
    order = [t.code for t in vocab.QUALIFICATIONS]
    ranks = sorted(order.index(c) for c in codes if c in order)
    if len(ranks) > 1 and ranks[-1] == len(order) - 1 and ranks == list(range(ranks[0], ranks[-1] + 1)):
        return N_("%(level)s ou plus", level=_short(vocab.QUALIFICATIONS[ranks[0]].label))
    return join(", ", [_short(vocab.QUALIFICATIONS[r].label) for r in ranks])


def conditions(site: Site) -> list[str]:
    """The site's conditions on its public: age bounds, situations, qualification levels."""
    out = []
    if age := age_text(site):
        out.append(age)
    if site.statuses:
        out.append(join(", ", [_short(vocab.label(vocab.STATUSES, s)) for s in site.statuses]))
    if site.qualifications:
        out.append(qualifications_text(site.qualifications))
    return out


def publics_text(site: Site) -> str:
    """Who the site receives, in plain French: « 16 à 25 ans », « tout public »."""
    parts = conditions(site)
    return join(" ; ", parts) if parts else N_("tout public")


def who(site: Site) -> str:
    """The card's line on the public, always given: « Pour qui : 16 à 25 ans seulement »."""
    parts = conditions(site)
    return N_("Pour qui : %(parts)s seulement", parts=join(" · ", parts)) if parts else N_("Pour qui : tout public")


def why(site: Site, c: Criteria) -> str:
    """What the site offers for the needs given, e.g. « Conseil et accompagnement personnalisés · à distance »."""
    reasons = []
    if c.level == 2:
        reasons.append(N_("conseil et accompagnement personnalisés"))
    elif c.level == 1:
        reasons.append(N_("accueil et information"))
    if c.mode == "a-distance":
        reasons.append(N_("possible à distance"))
    if c.accessible:
        reasons.append(N_("accessible en fauteuil roulant"))
    if c.language and c.language != "fr":
        reasons.append(N_("accueil en %(language)s", language=language_name(c.language)))
    if not reasons:
        reasons = [first_letter(vocab.label(vocab.LEVELS, lv), "lower") for lv in site.levels]
    return first_letter(join(" · ", reasons), "upper")


def yours(network: str) -> str:
    """How to name the person's own office: « Votre Mission locale »."""
    return YOURS.get(network, N_("Votre structure de rattachement"))


def sector(in_territory: bool | None, commune_name: str | None) -> str | None:
    """Competence said plainly: « Compétente pour La Clusaz », « Autre secteur : appelez avant… »."""
    if in_territory:
        return (
            N_("Compétente pour %(commune)s", commune=commune_name)
            if commune_name
            else N_("Compétente pour votre commune")
        )
    if in_territory is False:
        return OTHER_SECTOR
    return None


def appointment(site: Site, website: str | None) -> str | None:
    """How to get an appointment at a site « sur rendez-vous » (None when none is needed)."""
    if not site.appointment:
        return None
    ways = [N_("appelez le %(phone)s", phone=site.phone)] if site.phone else []
    ways += [N_("écrivez à %(email)s", email=site.email)] if site.email else []
    ways += [N_("prenez rendez-vous sur %(website)s", website=website)] if website else []
    if not ways:
        return N_("Sur rendez-vous : contactez la structure avant de vous déplacer.")
    how = ways[0] if len(ways) == 1 else N_("%(first)s ou %(last)s", first=join(", ", ways[:-1]), last=ways[-1])
    return N_("Sur rendez-vous : %(how)s.", how=how)


def cep(c: Criteria) -> dict | None:
    """Who gives the conseil en évolution professionnelle to the person, when level 2 is asked:
    {"text", "networks"} (networks empty when the situation does not say)."""
    if c.level != 2:
        return None
    networks = vocab.cep_networks(c.status, c.age)
    if not c.status:
        text = N_("Qui fait le conseil en évolution professionnelle (CEP) pour vous dépend de votre situation.")
        return {"text": text, "networks": ()}
    situation = _short(vocab.label(vocab.STATUSES, c.status))
    if not networks:
        text = N_(
            "Le CEP s'adresse aux actifs ; pour vous (%(situation)s), les lieux ci-dessous vous conseillent.",
            situation=situation,
        )
        return {"text": text, "networks": ()}
    names = join(N_(" ou "), [vocab.NETWORKS_BY_CODE[n].label for n in networks])
    text = N_(
        "Conseil en évolution professionnelle (CEP) : pour vous (%(situation)s), c'est %(names)s.",
        situation=situation,
        names=names,
    )
    return {"text": text, "networks": networks}


NEEDS = {1: N_("m'informer"), 2: N_("être conseillé·e et accompagné·e")}


def summary(place: str, c: Criteria) -> list[str]:
    """The search in one line's parts: « Marcolès · 19 ans · demandeur·se d'emploi · être accompagné·e »."""
    parts = [place] if place else []
    if c.age is not None:
        parts.append(N_("%(age)s ans", age=c.age))
    if c.status:
        parts.append(_short(vocab.label(vocab.STATUSES, c.status)))
    if c.qualification:
        parts.append(_short(vocab.label(vocab.QUALIFICATIONS, c.qualification)))
    if c.level:
        parts.append(NEEDS.get(c.level, str(c.level)))
    if c.networks:
        parts.append(join(", ", [vocab.NETWORKS_BY_CODE[n].label for n in sorted(c.networks)]))
    if c.mode == "a-distance":
        parts.append(N_("à distance"))
    if c.accessible:
        parts.append(N_("accessible en fauteuil roulant"))
    if c.language:
        parts.append(N_("accueil en %(language)s", language=language_name(c.language)))
    return parts


# Language names as said inside a sentence (« accueil en anglais »): lower-case in French, but not
# in every language (English writes « in English »), so each is a text of its own.
IN_SENTENCE = {
    "fr": N_("français"),
    "en": N_("anglais"),
    "es": N_("espagnol"),
    "it": N_("italien"),
    "de": N_("allemand"),
    "pt": N_("portugais"),
    "ar": N_("arabe"),
    "tr": N_("turc"),
    "ru": N_("russe"),
    "uk": N_("ukrainien"),
    "ro": N_("roumain"),
    "pl": N_("polonais"),
    "zh": N_("chinois"),
    "fa": N_("persan"),
    "ps": N_("pachto"),
    "ta": N_("tamoul"),
    "sq": N_("albanais"),
    "sw": N_("swahili"),
    "lsf": N_("langue des signes française (LSF)"),
}


def language_name(code: str) -> str:
    """« anglais », « langue des signes française (LSF) »: the language as said in a sentence."""
    return IN_SENTENCE.get(code) or first_letter(vocab.label(vocab.LANGUAGES, code), "lower")


def criterion_text(name: str, value) -> str:
    """One search filter in words, to say what excluded the places: « le niveau 2 (…) », « 22 ans »."""
    if name == "age":
        return N_("%(age)s ans", age=value)
    if name == "age_range":
        return N_("les %(lo)s à %(hi)s ans", lo=value[0], hi=value[1])
    if name == "status":
        return _short(vocab.label(vocab.STATUSES, value))
    if name == "qualification":
        return _short(vocab.label(vocab.QUALIFICATIONS, value))
    if name == "level":
        return N_("le niveau %(level)s (%(need)s)", level=value, need=NEEDS.get(value, str(value)))
    if name == "mode":
        return N_("l'accueil à distance") if value == "a-distance" else _short(vocab.label(vocab.MODES, value))
    if name == "networks":
        names = [vocab.NETWORKS_BY_CODE[n].label for n in sorted(value)]
        return N_("le réseau %(names)s", names=join(N_(" ou "), names))
    if name == "departments":
        return N_("le département %(codes)s", codes=join(N_(" ou "), sorted(value)))
    if name == "accessible":
        return N_("l'accès en fauteuil roulant")
    if name == "language":
        return N_("l'accueil en %(language)s", language=language_name(value))
    if name == "territory_only":
        return N_("les structures compétentes pour la commune")
    return f"{name} = {value}"
