"""Storage: the only code that speaks SQL, on SQLite or PostgreSQL.

Owns the database schema (numbered migrations, ``schema``) and every table: directory
versions and the published pointer, the publish log (``store``), staff accounts and login
throttling (``accounts``), widget-load counts (``widget_loads``), import reports
(``import_log``) and the geocoding cache (``geocode_cache``); roles, référents' structures and
invitation links (``roles``), changes to sites — the review queue and audit trail —
(``site_changes``), freshness campaigns (``campaigns``), anonymous search counts (``demand``);
the content hash of a version (``content``) and the audit trail of events (``audit``, JSON
lines on logger ``spro.audit``).
Every module takes a ``Store``; its ``db`` is the only backend-specific object:
``sqlite.SQLiteDatabase`` or ``postgres.PostgresDatabase``, chosen from DATABASE_URL by
``database.open_database``, with one interface (connections, one-writer transactions,
snapshots, migrations, backup, restore, ``Error``). The storage modules write one SQL text for
both backends (``?`` placeholders, SQLite's DDL), translated for PostgreSQL in one place.
Publishing switches one row in one transaction so that a reader sees one version whole. No
policy lives here (who may log in, which loads count: ``finder.service``).

Returns domain objects (``finder.domain.model``) or plain rows (dicts, tuples, bytes).

May import: ``finder.domain`` (the model), ``finder.errors``, ``finder.config``.
"""
