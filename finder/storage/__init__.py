"""Storage: the only code that speaks SQL.

Owns the database schema (one definition, ``schema``) and every table: directory versions
and the published pointer, the publish log (``store``), staff accounts and login throttling
(``accounts``), widget-load counts (``widget_loads``), import reports (``import_log``) and
the geocoding cache (``geocode_cache``). Every module takes a ``Store``; its ``db``
(``sqlite.SQLiteDatabase``, the only backend-specific class) owns connections, transactions
and applying the schema. Publishing switches one row in one transaction so that a reader
sees one version whole. No policy lives here (who may log in, which loads count: ``finder.service``).

Returns domain objects (``finder.domain.model``) or plain rows (dicts, tuples, bytes).

May import: ``finder.domain`` (the model), ``finder.errors``, ``finder.config``.
"""
