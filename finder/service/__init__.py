"""The application's use cases: one core function per endpoint, and their parameters.

Owns the declaration of every request parameter (``params``: name, parser and bounds, French
label and error, OpenAPI schema, CLI option, form field), the forms generated from them
(``forms``), the served catalog of one directory version (``catalog``), the citizen search
(``search``), the partner widget's presets (``widget``), the login policy (``accounts``:
Argon2id, password rules, lockout), the anonymous counting of widget loads (``usage``) and
the answers of nearest, sites, site, geocode, coverage, planning and bilan (one module each);
who may do what (``authz``), référents and invitations, self-service changes and their review,
freshness campaigns and e-mail, anonymous search counts (``demand``) and the open data files.
Every adapter (Flask views, the fast WSGI path, the command line) is a thin call over
these functions.

May import: ``finder.domain``, ``finder.storage``, ``finder.directory``, ``finder.present``,
``finder.errors``, ``finder.config``. Never Flask, never ``finder.web`` or ``finder.cli``.
"""
