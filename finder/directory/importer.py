"""Import of a directory file: read, validate, geocode, then store a new version (and publish it).

Nothing is written to the directory unless the whole file passes validation; the new
version is stored in one transaction and served only once published. Every attempt's
report is kept in the import log.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from finder.config import import_max_bytes
from finder.directory import batch_geocode, datainclusion, gcpause, positions, versions
from finder.directory.checks import Problem
from finder.directory.report import Report
from finder.directory.tablefile import FileProblem, Table, read_table
from finder.directory.validate import Draft, Options, validate_table
from finder.domain.geography import Geography
from finder.domain.model import Closure, DatasetInfo, Directory, Site, Structure
from finder.storage import import_log
from finder.storage.store import Store, encode, now_iso

Progress = Callable[[str, int, int], None]


@dataclass
class Settings:
    today: dt.date = field(default_factory=dt.date.today)
    tolerance_m: float = 500.0
    max_rows: int = 100_000
    max_bytes: int | None = None  # the file's size (finder.config.import_max_bytes); None: no limit
    ban_url: str | None = None
    ban_timeout: float = 2.0
    ban_rate: float = 20.0
    fetch: Callable[[str], dict] | None = None  # injectable HTTP call for the BAN
    ban_budget_seconds: float | None = None  # stop asking the BAN after this long (web requests)

    @classmethod
    def from_config(cls, config, **overrides) -> Settings:
        return cls(
            tolerance_m=float(config.get("IMPORT_COMMUNE_TOLERANCE_M", 500)),
            max_rows=int(config.get("IMPORT_MAX_ROWS", 100_000)),
            max_bytes=import_max_bytes(config),
            ban_url=config.get("BAN_URL") or None,
            ban_timeout=float(config.get("BAN_TIMEOUT", 2.0)),
            ban_rate=float(config.get("BAN_RATE_PER_SECOND", 20)),
            **overrides,
        )


@dataclass
class ImportResult:
    report: Report
    directory: Directory | None = None  # the imported directory when valid
    version: int | None = None  # stored version (None: dry run or refused)
    published: bool = False
    diff: versions.Diff | None = None  # against the published version
    report_id: int | None = None


def run(
    data: bytes | list[bytes],
    store: Store,
    geo: Geography,
    settings: Settings,
    author: str,
    filename: str = "",
    dry_run: bool = False,
    publish: bool = False,
    demo: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Check the file, then store (unless ``dry_run``) and publish the new version; the attempt's report is
    kept in the import log whatever its outcome. Runs with the cyclic garbage collector paused (``gcpause``)."""
    with gcpause.paused():
        return _run(data, store, geo, settings, author, filename, dry_run, publish, demo, progress)


def _run(data, store, geo, settings, author, filename, dry_run, publish, demo, progress) -> ImportResult:
    step = progress or (lambda stage, done, total: None)
    result = check(data, store, geo, settings, progress)
    against = encoded = None  # the published version the diff was computed against; the rows to store
    if result.directory is not None:
        step("Comparaison avec la version publiée", 0, 1)
        d = result.directory
        encoded = encode(d.structures.values(), d.sites)  # once: for the diff, the hash and the rows
        served = store.published_rows()
        against = served[0] if served else None
        result.diff = versions.diff_stored(served[1:] if served else None, d, encoded)
        result.report.facts["diff"] = result.diff.summary()
        _warn_removals(result.report, result.diff)
    if result.report.ok and not dry_run:
        d = result.directory
        structures = list(d.structures.values())
        step("Enregistrement de la version", 0, 1)
        result.version = store.add_version(structures, d.sites, demo, filename or "import", author, encoded)
        if publish:
            step("Publication", 0, 1)
            versions.publish(store, result.version, author, new=d, known=(against, result.diff))
            result.published = True
    errors, warnings = result.report.count()
    result.report_id = import_log.record(
        store, result.report.to_json(), errors, warnings, author, filename, dry_run, result.version
    )
    return result


def refuse(store: Store, message: str, author: str, filename: str, dry_run: bool = False) -> int:
    """Keep, like any other attempt, a file refused before it could be read (too large to receive)."""
    report = Report()
    report.error(0, None, "unreadable_file", message)
    return import_log.record(store, report.to_json(), 1, 0, author, filename, dry_run, None)


REMOVAL_WARNING_SHARE = 0.10


def _warn_removals(report: Report, change: versions.Diff) -> None:
    """A file much smaller than the published directory is more often a mistake than a decision."""
    before = change.sites - len(change.added) + len(change.removed)
    if before and len(change.removed) > REMOVAL_WARNING_SHARE * before:
        report.warning(
            0,
            None,
            "mass_removal",
            f"Cet import retire {len(change.removed)} lieux sur les {before} de l'annuaire publié "
            f"({len(change.removed) / before:.0%}) : vérifiez qu'il s'agit bien du fichier complet.",
        )


def read(data: bytes | list[bytes], max_rows: int, max_bytes: int | None = None) -> Table:
    """One table file (CSV, XLSX), or the two JSON files of the data·inclusion format, as a Table.

    Every file is held to the size limit before anything is parsed (``max_bytes``, in all).
    """
    files = [data] if isinstance(data, bytes) else list(data)
    if max_bytes is not None and sum(len(f) for f in files) > max_bytes:
        raise FileProblem(f"Fichier trop volumineux : {max_bytes / (1024 * 1024):g} Mo au plus.")
    if any(datainclusion.looks_like(f) for f in files):
        return datainclusion.to_table(files, max_rows)
    if len(files) != 1:
        raise FileProblem("Un seul fichier CSV ou XLSX à la fois (ou les deux fichiers JSON data·inclusion).")
    return read_table(files[0], max_rows, max_bytes)


def check(
    data: bytes | list[bytes], store: Store, geo: Geography, settings: Settings, progress: Progress | None = None
) -> ImportResult:
    """Read, validate and geocode without storing anything but the geocoding cache.

    ``data``: a CSV or XLSX file, or the pair structures.json + services.json (data·inclusion).
    """
    if progress:
        progress("Lecture du fichier", 0, 1)
    try:
        table = read(data, settings.max_rows, settings.max_bytes)
    except FileProblem as p:
        report = Report()
        report.error(p.line, None, "unreadable_file", p.message)
        return ImportResult(report)
    step = (lambda done, total: progress("Validation", done, total)) if progress else None
    drafts, report = validate_table(table, geo, Options(settings.today, settings.tolerance_m), step)
    if not report.ok:
        pending = sum(d.needs_geocoding for d in drafts)
        if pending:
            report.facts["geocoding_deferred"] = pending
        return ImportResult(report)
    geocode(drafts, geo, settings, store, report, progress)
    structures, sites = build(drafts)
    report.facts.update(sites=len(sites), structures=len(structures))
    info = DatasetInfo(version=0, demo=False, loaded_at=now_iso(), source="import")
    return ImportResult(report, Directory(info=info, structures=structures, sites=sites))


def geocode(drafts: list[Draft], geo: Geography, settings: Settings, store: Store, report: Report, progress=None):
    """Give a position to rows without one: the BAN when configured, else the commune's reference point."""
    pending = [d for d in drafts if d.needs_geocoding]
    if not pending:
        return
    queries = {d.line: _query(d, geo) for d in pending}
    outcome = None
    if settings.ban_url:
        fetch = settings.fetch or batch_geocode.urllib_fetch(settings.ban_timeout)
        client = batch_geocode.BanClient(settings.ban_url, fetch)
        step = (lambda done, total: progress("Géocodage", done, total)) if progress else None
        with gcpause.resumed():  # waiting for the BAN: no reason to hold the collector
            outcome = batch_geocode.geocode_all(
                queries.values(),
                client,
                batch_geocode.Cache(store),
                batch_geocode.Throttle(settings.ban_rate),
                progress=step,
                deadline=time.monotonic() + settings.ban_budget_seconds if settings.ban_budget_seconds else None,
            )
        report.facts.update(ban_requests=outcome.asked, ban_cached=outcome.cached)
    counts = {"ban": 0, "commune": 0}
    for d in pending:
        hit = outcome.answers.get(queries[d.line].key) if outcome else None
        reason = _reject(hit, d, geo, settings) if outcome else "la BAN n'est pas configurée"
        if hit is not None and reason is None:
            d.site.update(lat=hit.lat, lon=hit.lon, position_source="ban")
        else:
            if outcome and queries[d.line].key not in outcome.answers:
                reason = (
                    "la BAN n'a pas répondu"
                    if outcome.unavailable
                    else "géocodage interrompu (durée limitée en ligne) : importez de nouveau le fichier, les "
                    "adresses déjà trouvées sont gardées en cache, ou utilisez la ligne de commande"
                )
            commune = geo.communes[d.site["commune"]]
            d.site.update(lat=commune.ref_lat, lon=commune.ref_lon, position_source="commune")
            report.warning(
                d.line,
                "latitude",
                "approximate_position",
                f"Position approximative (point de référence de {commune.name}) : {reason}.",
            )
        counts[d.site["position_source"]] += 1
    report.facts.update(geocoded_ban=counts["ban"], geocoded_commune=counts["commune"])


def _query(d: Draft, geo: Geography) -> batch_geocode.Query:
    commune = geo.communes[d.site["commune"]]
    return batch_geocode.Query(d.site["address"], d.site["postcode"], commune.insee, commune.name)


def _reject(hit, d: Draft, geo: Geography, settings: Settings) -> str | None:
    """Why a BAN answer cannot be used for this row, or None when it can."""
    if hit is None:
        return "adresse introuvable dans la BAN"
    insee = d.site["commune"]
    found = geo.communes.get(hit.citycode)
    same = hit.citycode == insee or geo.communes[insee].parent == hit.citycode or (found and found.parent == insee)
    if hit.score < batch_geocode.MIN_SCORE or hit.kind not in batch_geocode.PRECISE_KINDS:
        return f"réponse de la BAN trop imprécise (score {hit.score:.2f}, type {hit.kind or 'inconnu'})"
    if not same:
        return f"la BAN situe l'adresse dans une autre commune ({hit.citycode})"
    try:
        positions.check(geo, insee, hit.lat, hit.lon, settings.tolerance_m)
    except Problem as p:
        return f"réponse de la BAN rejetée ({p.message})"
    return None


def build(drafts: list[Draft]) -> tuple[dict[str, Structure], list[Site]]:
    """Model objects from valid drafts."""
    structures: dict[str, Structure] = {}
    sites = []
    for d in drafts:
        s = d.structure
        if s["id"] not in structures:
            structures[s["id"]] = Structure(
                id=s["id"],
                name=s["name"],
                network=s["network"],
                cercle=s["cercle"],
                department=s["department"],
                website=s["website"],
                territory=tuple(s["territory"]) if s["territory"] else None,
            )
        fields = dict(d.site, closures=tuple(Closure(**c) for c in d.site["closures"]))
        sites.append(Site(**fields))
    return structures, sites
