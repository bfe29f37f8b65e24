"""Keeping the directory: table files, validation, import, export, versions and edits.

Owns the import format (columns and the Table Schema), reading CSV/XLSX files safely,
line-level validation with a French report, batch geocoding through the BAN, the importer
(validate, store, publish), exports in the import format, diffs between versions and
staff edits (temporary closures), freshness checks.

May import: ``finder.domain``, ``finder.storage``, ``finder.errors``, ``finder.config``.
"""
