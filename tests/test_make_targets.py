"""What each make target installs, read from what make would run (``make -n``, with the virtual environment in a
temporary folder): `make demo` qimaturity alone, no test tool, no extra, no npm package, no browser; `make test` the
test extra, npm's packages and Chromium; `make serve` the web extra. A later target adds what an earlier one did not
install, in the same environment, and a smaller set after a larger one installs nothing."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .conftest import ROOT
from .packages import closure, optional_dependencies

pytestmark = [
    pytest.mark.subprocess,
    pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed"),
]


def dry_run(target: str, venv: Path) -> list[str]:
    """The commands ``make TARGET`` would run, with its virtual environment in ``venv``."""
    done = subprocess.run(
        ["make", "-n", "--no-print-directory", target, f"VENV={venv}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        # As from a shell, not as from the make that may be running these tests.
        env={k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")},
    )
    return done.stdout.splitlines()


def installed(commands: list[str]) -> list[str]:
    """What the commands' ``pip install`` lines name (``.``, ``.[test]``, ``pip``), in order."""
    named = []
    for command in commands:
        if " pip install " not in command:
            continue
        for word in shlex.split(command)[shlex.split(command).index("install") + 1 :]:
            if not word.startswith("-"):
                named.append(word)
    return named


def requirements(named: list[str]) -> list[Requirement]:
    return [Requirement(("qimaturity" + spec[1:]) if spec.startswith(".") else spec) for spec in named]


def tools_of_tests() -> set[str]:
    """The packages the test extra adds to the other extras: pytest, ruff, mypy, Playwright, ..."""
    return {canonicalize_name(r.name) for r in optional_dependencies()["test"]} - {"qimaturity"}


def extras_packages() -> set[str]:
    """Every package an extra other than test names."""
    listed = optional_dependencies()
    return {canonicalize_name(r.name) for extra, rs in listed.items() if extra != "test" for r in rs} - closure(
        [Requirement("qimaturity")]
    )


def test_make_demo_installs_qimaturity_alone(tmp_path):
    commands = dry_run("demo", tmp_path / "venv")
    assert installed(commands) == ["pip", "."]
    brought = closure(requirements(installed(commands)))
    assert {"weasyprint", "openpyxl", "jinja2", "pyyaml"} <= brought  # what the demo's reports are made with
    assert "pytest" not in brought
    assert brought & tools_of_tests() == set()
    assert brought & extras_packages() == set()  # no Polars, FHIR models, Dask or Django
    assert not any("npm" in command for command in commands)
    assert not any("chromium" in command for command in commands)  # the browser is the tests'


def test_make_test_installs_the_test_extra_npm_packages_and_chromium(tmp_path):
    commands = dry_run("test", tmp_path / "venv")
    assert installed(commands) == ["pip", ".[test]"]
    assert tools_of_tests() | extras_packages() <= closure(requirements(installed(commands)))
    assert any(command.startswith("if command -v npm") and "npm ci" in command for command in commands)
    assert any("chromium" in command for command in commands)


def test_make_serve_installs_the_web_extra_and_no_test_tool(tmp_path):
    commands = dry_run("serve", tmp_path / "venv")
    assert installed(commands) == ["pip", ".[web]"]
    brought = closure(requirements(installed(commands)))
    assert "django" in brought
    assert brought & tools_of_tests() == set()
    assert any("npm ci" in command for command in commands)  # the NHS.UK frontend's styles and scripts


def _made(venv: Path, commands: list[str]) -> None:
    """What a target's recipes leave behind: the environment's interpreter, and the stamps they touch."""
    (venv / "bin").mkdir(parents=True, exist_ok=True)
    (venv / "bin" / "python").touch()
    for command in commands:
        if command.startswith("touch "):
            for stamp in shlex.split(command)[1:]:
                Path(stamp).touch()


def test_make_test_after_make_demo_installs_the_rest(tmp_path):
    venv = tmp_path / "venv"
    _made(venv, dry_run("demo", venv))
    assert installed(dry_run("demo", venv)) == []  # done
    assert installed(dry_run("test", venv)) == [".[test]"]  # the same environment, the test extra added to it
    assert installed(dry_run("serve", venv)) == [".[web]"]


def test_make_demo_or_serve_after_make_test_installs_nothing(tmp_path):
    venv = tmp_path / "venv"
    _made(venv, dry_run("test", venv))
    for target in ("demo", "serve", "test"):
        commands = dry_run(target, venv)
        assert installed(commands) == [], target
        assert not any("npm ci" in command for command in commands), target
