"""Pieces shared by the command-line modules: profile options, their query form, tables."""

from __future__ import annotations

from finder.service import query

PROFILE_OPTIONS = ("age", "status", "qualification", "level", "mode", "territory")


def add_profile_args(p) -> None:
    """The person's profile, as the API's nearest parameters."""
    p.add_argument("--age", type=str)
    p.add_argument("--status")
    p.add_argument("--qualification")
    p.add_argument("--level", type=str)
    p.add_argument("--network", action="append")
    p.add_argument("--mode")
    p.add_argument("--accessible", action="store_true")
    p.add_argument("--territory", choices=["only", "all"])


def as_query(args, keys) -> query.Args:
    """Parsed argparse options as API-style parameters, validated by finder.query like any request."""
    raw = query.Args({key: [str(getattr(args, key))] for key in keys if getattr(args, key) is not None})
    if args.network:
        raw["network"] = args.network
    if args.accessible:
        raw["accessible"] = ["true"]
    return raw


def print_table(rows, max_width: int | None = 60) -> None:
    """Rows of strings (the first one the header) as aligned columns, cut at ``max_width`` (None: never)."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    if max_width is not None:
        widths = [min(max_width, w) for w in widths]
    for r in rows:
        print("  ".join(c[:w].ljust(w) for c, w in zip(r, widths)).rstrip())
