"""The browser runtime's own checks, run with the Python suite: the committed build matches
``js/src`` (``node js/build.mjs --check``), the unit tests (``npm test``) and the linter and
formatter (``npm run lint``, Biome). They need Node and ``npm ci``; without them they are skipped,
unless ``TAGMANAGER_REQUIRE_JS=1`` (CI) makes that a failure."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def npm():
    node, npm = shutil.which("node"), shutil.which("npm")
    missing = (
        "node and npm are missing (apt-get install nodejs npm)"
        if not (node and npm)
        else "the runtime's tools are not installed (npm ci)"
        if not (ROOT / "node_modules" / ".bin" / "esbuild").exists()
        else None
    )
    if missing:
        if os.environ.get("TAGMANAGER_REQUIRE_JS") == "1":
            pytest.fail(missing)
        pytest.skip(missing)
    return npm


def run(*command):
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_committed_build_is_the_build_of_the_source(npm):
    run("node", "js/build.mjs", "--check")


def test_unit_tests(npm):
    output = run(npm, "test", "--silent")
    assert "# fail 0" in output


def test_lint_and_format(npm):
    run(npm, "run", "lint", "--silent")
