"""Staff pages under /admin: one blueprint, its routes in views (login, dashboard, versions),
directory (import, report, export) and quality (freshness, closures)."""

from finder.web.admin import directory, quality  # noqa: F401 - their routes join the blueprint
from finder.web.admin.views import bp

__all__ = ["bp"]
