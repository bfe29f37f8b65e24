"""Real binaries for the deployment tests: a missing one skips locally, and fails under CI (.ci/run installs
nginx, redis-server, postgresql and openssl; a skip there would hide an untested deployment)."""

from __future__ import annotations

import os
import shutil

import pytest


def need(*binaries: str) -> None:
    missing = [b for b in binaries if shutil.which(b) is None]
    if not missing:
        return
    reason = f"{', '.join(missing)} absent (apt-get install -y nginx redis-server openssl systemd ; .ci/run le fait)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)
