"""The bundled rubrics, schemas and report templates travel inside the wheel, not only in a source checkout.

The wheel is built from this checkout and installed into a fresh virtual environment; its dependencies are
borrowed from the test environment through a path file, so the test needs no network. The command then runs
from a folder outside the checkout, where only the installed copy can be found.
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import zipfile

import pytest

from .conftest import ROOT


def run(*args: str, cwd=None) -> subprocess.CompletedProcess[str]:
    # Without PYTHONPATH: a checkout put on it (as when testing a work tree) would be found before the wheel.
    env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, timeout=300, check=False, env=env)


@pytest.mark.slow
@pytest.mark.subprocess
def test_wheel_installs_and_finds_bundled_data(tmp_path):
    dist = tmp_path / "dist"
    built = run(sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-w", str(dist))
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("qimaturity-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "qimaturity/_bundled/rubrics/qi-readiness.yaml" in names
    assert "qimaturity/_bundled/schemas/rubric.schema.json" in names
    assert "qimaturity/_bundled/reports/README.md" in names
    # Every layer is packed, and resources.py (which finds _bundled) sits one folder below the package.
    layers = ("_core", "rubric", "answers", "scoring", "cohort", "report", "batch", "cli")
    assert {f"qimaturity/{layer}/__init__.py" for layer in layers} <= set(names)
    assert "qimaturity/_core/resources.py" in names

    env = tmp_path / "fresh"
    created = run(sys.executable, "-m", "venv", "--without-pip", str(env))
    assert created.returncode == 0, created.stderr
    python = env / "bin" / "python"
    installed = run(sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", str(wheel))
    assert installed.returncode == 0, installed.stderr
    fresh_site = run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    # Dependencies only: a path line in a .pth file does not run that folder's own .pth files, so the
    # editable install of this checkout stays invisible to the fresh environment.
    with open(f"{fresh_site}/test-dependencies.pth", "w") as handle:
        handle.write("\n".join(site.getsitepackages()) + "\n")

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    where = run(str(python), "-c", "import qimaturity; print(qimaturity.__file__)", cwd=outside)
    assert where.stdout.strip().startswith(fresh_site), where.stdout + where.stderr

    result = run(str(env / "bin" / "qimaturity"), "validate", "qi-readiness", "--format", "json", cwd=outside)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["rubrics"][0]["id"] == "qi-readiness"
    assert report["rubrics"][0]["file"] == "rubrics/qi-readiness.yaml"

    listed = run(str(env / "bin" / "qimaturity"), "rubrics", "--format", "json", cwd=outside)
    assert listed.returncode == 0, listed.stderr
    assert {r["id"] for r in json.loads(listed.stdout)} == {"qi-readiness", "qi-programme-stages"}
