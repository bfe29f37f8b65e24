"""Storage: the only code that speaks SQL.

Owns the database schema (one definition) and every table: directory versions and the
published pointer, the publish log, staff accounts and login throttling, widget-load
counts, import reports and the geocoding cache. Each function opens, uses and closes its
connection; publishing switches one row in one transaction so that a reader sees one
version whole.

Returns domain objects (``finder.domain.model``) or plain rows (dicts, tuples, bytes).

May import: ``finder.domain`` (the model), ``finder.errors``, ``finder.config``.
"""
