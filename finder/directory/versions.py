"""Directory versions: differences between two of them, publishing and rolling back with a summary.

Publishing is the store's one-row switch; this module adds who, when and what changed
(sites added, removed and changed) to the publish log (read with ``Store.publish_log``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from finder.domain.model import Directory, Site, Structure
from finder.errors import FinderError, InvalidParameter, NotFound
from finder.storage.store import Encoded, Store


@dataclass
class Diff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    structures_changed: int = 0
    sites: int = 0

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.structures_changed)

    def summary(self) -> str:
        text = (
            f"{len(self.added)} lieu(x) ajouté(s), {len(self.removed)} supprimé(s), {len(self.changed)} modifié(s)"
            f" ; {self.structures_changed} structure(s) ajoutée(s), supprimée(s) ou modifiée(s)"
        )
        return f"{text} — {self.sites} lieu(x) en tout."

    def as_json(self) -> dict:
        return {
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
            "structures_changed": self.structures_changed,
            "sites": self.sites,
        }


def diff(old: Directory | None, new: Directory) -> Diff:
    """What ``new`` adds, removes and changes compared with ``old`` (ids sorted)."""
    before = _site_dicts(old) if old else {}
    after = _site_dicts(new)
    old_structures = old.structures if old else {}
    new_structures = new.structures
    return Diff(
        added=sorted(after.keys() - before.keys()),
        removed=sorted(before.keys() - after.keys()),
        changed=sorted(k for k in after.keys() & before.keys() if after[k] != before[k]),
        structures_changed=sum(
            old_structures.get(k) != new_structures.get(k) for k in old_structures.keys() | new_structures.keys()
        ),
        sites=len(after),
    )


def diff_stored(old: tuple[dict[str, str], dict[str, str]] | None, new: Directory, encoded: Encoded) -> Diff:
    """``diff`` against a version given as its stored JSON text by id (``Store.published_rows``), without
    decoding it: the same text is the same site or structure; a different text is decoded and compared
    (a version stored by an older program may write the same values differently).

    ``encoded``: ``new`` as it will be stored (``finder.storage.store.encode``).
    """
    old_structures, old_sites = old or ({}, {})
    new_structures = dict(encoded.structures)
    changed_structures = {
        k
        for k in old_structures.keys() | new_structures.keys()
        if old_structures.get(k) != new_structures.get(k)
        and (k not in old_structures or Structure.from_dict(json.loads(old_structures[k])) != new.structures.get(k))
    }
    by_id = {s.id: s for s in new.sites}
    after = {sid: text for sid, _, text in encoded.sites}

    def changed(sid: str) -> bool:
        site = by_id[sid]
        if site.structure_id in changed_structures:
            return True
        text = old_sites[sid]
        if text == after[sid]:
            return False
        before = Site.from_dict(json.loads(text))
        return before != site or before.structure_id in changed_structures

    return Diff(
        added=sorted(after.keys() - old_sites.keys()),
        removed=sorted(old_sites.keys() - after.keys()),
        changed=sorted(k for k in after.keys() & old_sites.keys() if changed(k)),
        structures_changed=len(changed_structures),
        sites=len(after),
    )


def _site_dicts(directory: Directory) -> dict[str, tuple]:
    """Each site with its structure (frozen dataclasses compare by value)."""
    return {s.id: (s, directory.structures[s.structure_id]) for s in directory.sites}


def publish(
    store: Store,
    version: int,
    author: str,
    action: str = "publish",
    new: Directory | None = None,
    expected: int | None = None,
    known: tuple[int | None, Diff] | None = None,
) -> Diff:
    """Serve ``version``; the log records who, when, and what changed from the version served before.

    ``new``: the version's directory when the caller has it already (saves reading it back);
    ``expected``: refuse (StoreError "conflict") if the published version is no longer this one;
    ``known``: (the published version it was computed against, the diff) when the caller has it
    already (an import diffs before storing): used only if that version is still the one published,
    and the publish is then made conditional on it (``expected``), so the log never tells another change.
    """
    if not any(v["id"] == version for v in store.versions()):
        raise NotFound(f"La version {version} n'existe pas.", field="version")
    current = store.published_version() if expected is None else expected
    if current == version:
        raise FinderError(f"La version {version} est déjà celle publiée.", field="version", code="already_published")
    if known is not None and known[0] == current:
        change = known[1]
    else:
        new = new or store.load(version)
        old = store.load(current) if current is not None else None
        change = diff(old, new)
    label = "Retour à la version" if action == "rollback" else "Publication de la version"
    store.publish(version, author, f"{label} {version} : {change.summary()}", action, expected=current)
    return change


def rollback(store: Store, version: int, author: str) -> Diff:
    return publish(store, version, author, action="rollback")


@dataclass
class Pruned:
    deleted: list[int]  # versions deleted
    kept: list[int]
    rows: dict  # rows deleted per table (sites, structures, import_reports)


def prune(store: Store, keep: int) -> Pruned:
    """Delete old versions: keep the last ``keep`` ones, and always the published one and the one
    published before it (what a rollback goes back to). Their import reports go with them."""
    if keep < 0:
        raise InvalidParameter(f"--keep doit être positif ou nul (reçu : {keep}).", field="keep")
    ids = [v["id"] for v in store.versions()]
    kept = set(ids[len(ids) - keep :] if keep else []) | {store.published_version(), store.previous_version()}
    deleted = [v for v in ids if v not in kept]
    rows = store.delete_versions(deleted)
    return Pruned(deleted, [v for v in ids if v in kept], rows)
