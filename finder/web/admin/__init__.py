"""Staff pages under /admin: one blueprint, its routes in views (login, dashboard, versions),
directory (import, report, export), jobs (progress pages and result files), quality (freshness,
closures) and structures (référents, review queue, audit trail, campaigns)."""

from finder.web.admin import directory, jobs, quality, structures  # noqa: F401 - their routes join the blueprint
from finder.web.admin.views import bp

__all__ = ["bp"]
