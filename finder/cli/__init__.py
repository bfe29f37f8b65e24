"""The command line ``spro-finder``: an adapter over ``finder.service`` and the directory.

Owns argument parsing (options generated from the parameter declarations), progress bars
and text tables. Exit codes: 0 done, 1 the file has errors, 2 bad usage or store error.

May import: every package but ``finder.web``.
"""
