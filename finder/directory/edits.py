"""Small edits of the published directory (temporary closures, a site changed, added or closed), each a
new published version.

An edit copies the published version with one site changed, stores it and publishes it
only if nobody published another version meanwhile, so no one's change is silently lost.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from finder.directory import checks, columns, versions
from finder.domain.model import Closure, Directory, Site
from finder.errors import InvalidParameter, NotFound, StoreError
from finder.storage.store import Store


def parse_closure(start: str, end: str, reason: str, today: dt.date) -> Closure:
    """A closure from form fields (dates AAAA-MM-JJ or JJ/MM/AAAA), checked."""
    try:
        first, last = checks.date(start or ""), checks.date(end or "")
        text = checks.text(reason or "", 200)
    except checks.Problem as p:
        raise InvalidParameter(p.message, field="closure") from None
    if last < first:
        raise InvalidParameter("La date de fin précède la date de début.", field="end")
    if last < today.isoformat():
        raise InvalidParameter("Cette fermeture est déjà terminée.", field="end")
    if columns.CLOSURE_SEPARATOR in text:
        raise InvalidParameter(f"Le motif ne peut pas contenir « {columns.CLOSURE_SEPARATOR} ».", field="reason")
    return Closure(first, last, text)


def _replace_site(directory: Directory, site_id: str, change) -> tuple[list[Site], Site]:
    sites = list(directory.sites)
    for i, s in enumerate(sites):
        if s.id == site_id:
            sites[i] = change(s)
            return sites, sites[i]
    raise NotFound(f"Aucun lieu d'accueil ne porte l'identifiant « {site_id} ».", field="site")


def _save(store: Store, directory: Directory, sites: list[Site], author: str, source: str) -> int:
    base = directory.info.version
    version = store.add_version(list(directory.structures.values()), sites, directory.info.demo, source, author)
    new = Directory(info=dataclasses.replace(directory.info, version=version), structures=directory.structures)
    new.sites = sites
    versions.publish(store, version, author, new=new, expected=base)
    return version


def add_closure(store: Store, site_id: str, closure: Closure, author: str) -> int:
    directory = store.load()

    def change(site: Site) -> Site:
        kept = tuple(c for c in site.closures if c != closure)
        return dataclasses.replace(site, closures=tuple(sorted(kept + (closure,), key=lambda c: (c.start, c.end))))

    sites, _ = _replace_site(directory, site_id, change)
    return _save(
        store, directory, sites, author, f"Fermeture temporaire de {site_id} ({closure.start} – {closure.end})"
    )


def remove_closure(store: Store, site_id: str, start: str, end: str, author: str) -> int:
    directory = store.load()
    removed = []

    def change(site: Site) -> Site:
        kept = tuple(c for c in site.closures if (c.start, c.end) != (start, end))
        removed.extend(c for c in site.closures if (c.start, c.end) == (start, end))
        return dataclasses.replace(site, closures=kept)

    sites, _ = _replace_site(directory, site_id, change)
    if not removed:
        raise NotFound("Cette fermeture n'existe pas (déjà supprimée ?).", field="closure")
    return _save(store, directory, sites, author, f"Fin de fermeture de {site_id} ({start} – {end})")


def publish_sites(store: Store, author: str, summary: str, change, attempts: int = 3) -> int:
    """Publish the published directory's sites as ``change(directory)`` returns them; the new version.

    ``change`` reads the directory it is given (the one published now) and raises when the
    edit no longer applies. If another version is published between reading and publishing,
    the edit is applied again on that version (``attempts`` times at most).
    """
    for attempt in range(attempts):
        directory = store.load()
        sites = change(directory)
        try:
            return _save(store, directory, sites, author, summary)
        except StoreError as err:
            if err.code != "conflict" or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")
