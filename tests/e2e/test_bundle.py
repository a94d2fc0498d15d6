"""The built bundle passes packaging/smoke_test.py (skipped unless COMMANDWALL_TEST_BUNDLE names a bundle).

CI builds with ``packaging/build.py`` and then sets ``COMMANDWALL_TEST_BUNDLE`` to ``dist/`` (or the bundle
folder, or the .tar.gz archive).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = os.environ.get("COMMANDWALL_TEST_BUNDLE")


def _smoke_module():
    spec = importlib.util.spec_from_file_location("cw_smoke_test", ROOT / "packaging" / "smoke_test.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not BUNDLE, reason="set COMMANDWALL_TEST_BUNDLE=<dist dir> to test a built bundle")
def test_bundle_starts_and_shows_the_district(tmp_path):
    smoke = _smoke_module()
    try:
        smoke.smoke(Path(BUNDLE), keep=tmp_path / "smoke")
    except smoke.SmokeTestError as exc:
        pytest.fail(str(exc), pytrace=False)


def test_smoke_test_rejects_a_folder_without_a_bundle(tmp_path):
    """The smoke test fails (rather than passing vacuously) when there is nothing to test."""
    smoke = _smoke_module()
    with pytest.raises(smoke.SmokeTestError, match="no executable"):
        smoke.smoke(tmp_path)
