"""Pieces shared by the command-line modules: options generated from the parameter declarations, tables."""

from __future__ import annotations

import argparse

from finder.service.params import Args, Codes, Endpoint, Param


def option(p: Param) -> str:
    """The ``--option`` of a parameter: its name, ``_`` written ``-`` (``max_km`` -> ``--max-km``)."""
    return "-k" if p.name == "k" else "--" + p.name.replace("_", "-")


def add_options(parser: argparse.ArgumentParser, endpoint: Endpoint, skip: tuple[str, ...] = ()) -> None:
    """One option per declared parameter of ``endpoint``; values are checked by the declarations."""
    for p in endpoint.params:
        if p.name in skip:
            continue
        help_text = p.label
        if p.kind.cli_flag:
            parser.add_argument(option(p), dest=p.name, action="store_true", help=help_text)
        elif isinstance(p.kind, Codes):
            parser.add_argument(option(p), dest=p.name, action="append", help=help_text + " (répétable)")
        else:
            parser.add_argument(option(p), dest=p.name, help=help_text)


def as_args(ns: argparse.Namespace, endpoint: Endpoint) -> Args:
    """Parsed argparse options as query parameters, validated by the declarations like any request."""
    out = Args()
    for p in endpoint.params:
        value = getattr(ns, p.name, None)
        if value is None or value is False:
            continue
        if value is True:
            out[p.name] = ["true"]
        elif isinstance(value, list):
            out[p.name] = [str(v) for v in value]
        else:
            out[p.name] = [str(value)]
    return out


def print_table(rows, max_width: int | None = 60) -> None:
    """Rows of strings (the first one the header) as aligned columns, cut at ``max_width`` (None: never)."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    if max_width is not None:
        widths = [min(max_width, w) for w in widths]
    for r in rows:
        print("  ".join(c[:w].ljust(w) for c, w in zip(r, widths)).rstrip())
