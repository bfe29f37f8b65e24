"""Configuration: defaults, then an instance file, then SPRO_* environment variables.

Checked at start-up: a bad value stops the app with a clear message.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = {
    "GEODATA_DIR": str(ROOT / "geodata"),
    "DEMO_DIRECTORY": str(ROOT / "geodata" / "demo" / "directory.json"),
    "DATABASE": None,  # default: <instance_path>/spro.sqlite3
    "TILES_URL": "https://{s}.tile.openstreetmap.fr/osmfr/{z}/{x}/{y}.png",
    "TILES_ATTRIBUTION": "© les contributeurs d'OpenStreetMap (ODbL), fond OpenStreetMap France",
    "BAN_URL": None,  # e.g. the Base Adresse Nationale search endpoint; None = offline geocoding only
    "BAN_TIMEOUT": 2.0,
    "RELOAD_CHECK_SECONDS": 1.0,  # how often a worker checks for a newly published version
}


class ConfigError(RuntimeError):
    pass


def check(config: dict) -> None:
    """Raise ConfigError on a value the app cannot run with."""
    for key in ("GEODATA_DIR",):
        if not Path(config[key]).is_dir():
            raise ConfigError(f"{key}: dossier introuvable : {config[key]}")
    timeout = float(config["BAN_TIMEOUT"])
    if not 0 < timeout <= 2:
        raise ConfigError(f"BAN_TIMEOUT doit être compris entre 0 et 2 secondes (reçu : {timeout}).")
    config["BAN_TIMEOUT"] = timeout
    config["RELOAD_CHECK_SECONDS"] = float(config["RELOAD_CHECK_SECONDS"])
    if "{z}" not in config["TILES_URL"]:
        raise ConfigError("TILES_URL doit contenir {z}, {x} et {y}.")
