"""Property-based fuzzing of the public API, driven by its own OpenAPI document (schemathesis).

Every documented operation is called with generated valid and invalid parameters over real
HTTP (loopback), so compression and headers are exercised too. Checks: no 5xx, every status
documented, every answer conforming to its documented schema, content type and headers, and
invalid data rejected with a 4xx. Bounded: a few dozen examples per operation, no deadline.

Excluded check: ``positive_data_acceptance``. The API has cross-parameter rules that OpenAPI
parameters cannot express (exactly one origin: ``lat`` with ``lon``, or ``commune``; a
commune code must exist), so a schema-valid request may rightly get a documented 400.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from finder.web import docs
from tests.conftest import make_app
from tests.live import serve

_TMP = tempfile.TemporaryDirectory(prefix="spro-fuzz-")
APP = make_app(Path(_TMP.name), RATELIMIT_ENABLED=False)
SCHEMA = schemathesis.openapi.from_dict(docs.document(APP))


@pytest.fixture(scope="module")
def base_url():
    with serve(APP) as url:
        yield url


@SCHEMA.parametrize()
@settings(max_examples=50, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_document(case, base_url):
    case.call_and_validate(base_url=base_url, excluded_checks=[positive_data_acceptance])
