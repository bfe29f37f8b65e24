"""Write geodata/schema/schema.json (Table Schema of the import format) and exemple-valide.csv.

The schema comes from finder/columns.py; the example is a few sites of the demo directory
written by the exporter (comma-separated UTF-8, as schema.data.gouv.fr examples are), with
a territory given by its EPCI code and a temporary closure, to show both.
Run: .venv/bin/python scripts/build_schema.py
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from finder.directory import columns, export, tablefile, tableschema
from finder.domain import geography
from finder.domain.model import Closure, DatasetInfo, Directory, Site, Structure

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "geodata" / "schema"
EXAMPLE_SITES = ("lieu-0001", "lieu-0002", "lieu-0505", "lieu-0506", "lieu-0512", "lieu-0927")
CHECKED = "2026-11-02"


def example_rows(geo: geography.Geography) -> list[list[str]]:
    data = json.loads((ROOT / "geodata" / "demo" / "directory.json").read_text(encoding="utf-8"))
    structures = {s["id"]: Structure.from_dict(s) for s in data["structures"]}
    sites = [Site.from_dict(s) for s in data["sites"] if s["id"] in EXAMPLE_SITES]
    sites = [dataclasses.replace(s, date_maj=CHECKED) for s in sites]
    sites[0] = dataclasses.replace(sites[0], closures=(Closure("2026-12-24", "2027-01-02", "Congés de fin d'année"),))
    used = {s.structure_id: structures[s.structure_id] for s in sites}
    directory = Directory(DatasetInfo(0, True, ""), used, sites)
    rows = export.rows(directory, geo)
    epci_col = columns.NAMES.index("structure_zone_eligibilite")
    first = geo.communes[sites[0].commune]
    for row in rows:
        if row[columns.NAMES.index("structure_id")] == sites[0].structure_id:
            row[epci_col] = first.epci  # the whole EPCI, expanded to its communes at import
    return rows


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "schema.json").write_text(tableschema.dumps(), encoding="utf-8")
    data = tablefile.write_csv(list(columns.NAMES), example_rows(geography.load()), separator=",", bom=False)
    (OUT / "exemple-valide.csv").write_bytes(data)
    print(f"{OUT / 'schema.json'} et {OUT / 'exemple-valide.csv'} écrits.")


if __name__ == "__main__":
    main()
