"""Shared paths, two ways to run the command line, and the markers that keep `make test-fast` fast.

- :func:`run_main` calls the console script's ``main()`` in this process and captures what it prints: most
  command-line tests use it.
- :func:`run_cli` runs the installed console script in a fresh process. It stays for what needs one: resource
  limits (``address_space``), time limits, a fresh interpreter, and a few end-to-end checks of the real entry point.
- :func:`without_fonts` is the environment of a process that sees none of the machine's fonts, to show that a PDF
  does not depend on them; :func:`pdf_font_names` lists the fonts a PDF uses.

Markers (registered in pyproject.toml): ``subprocess`` for a test that starts a process (a new program, not a fork)
and ``slow`` for one that renders a PDF or works through large files. Both are checked while a test runs: starting
a process or writing a PDF in a test without its marker fails that test, so `make test-fast`
(``-m "not slow and not subprocess"``) stays free of both.
"""

from __future__ import annotations

import contextlib
import io
import os
import resource
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
RUBRICS = DATA / "rubrics"
QI_READINESS_1_1 = RUBRICS / "qi-readiness-1.1.0.yaml"
"""qi-readiness as it was at version 1.1.0 (31 questions in six domains). The test data written for it (imports,
FHIR responses, answers in tests/data) are read with it, and so are the examples as they were on 1.1.0 (below);
tests of the bundled rubric itself load "qi-readiness"."""
EXAMPLES_1_1 = DATA / "examples-1.1"
"""The bundled examples (examples/answers) as they were on qi-readiness 1.1.0, kept for the tests that check values
worked by hand on them: read them with QI_READINESS_1_1."""
COHORT_1_1 = DATA / "cohort-1.1"
"""The example cohort (examples/cohort) as it was on qi-readiness 1.1.0, for the same reason."""
INVALID = RUBRICS / "invalid"
CONSOLE_SCRIPT = Path(sys.executable).parent / "qimaturity"


def run_cli(
    *args: str,
    cwd: Path = ROOT,
    columns: int = 200,
    env: dict[str, str] | None = None,
    address_space: int | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run the installed console script, as a user would, and capture its output.

    A wide terminal is assumed so that rich tables and trees do not wrap the text a test looks for. ``env`` adds
    environment variables; ``address_space`` puts an RLIMIT_AS on the whole process, as a test harness may.
    """

    def limit() -> None:
        if address_space is not None:
            resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))

    return subprocess.run(
        [str(CONSOLE_SCRIPT), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=timeout,
        check=False,
        env={**os.environ, "COLUMNS": str(columns), **(env or {})},
        preexec_fn=limit,
    )


def fresh_python(code: str, *, hash_seed: int = 12345) -> str:
    """What ``code`` prints in a fresh interpreter (in the checkout, with a fixed hash seed unlike this process's
    random one): to show that output does not depend on the process that made it."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONHASHSEED": str(hash_seed)},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


# The warning filters of a fresh interpreter, first to last: what the console script would print.
_INTERPRETER_FILTERS = (
    ("default", DeprecationWarning, "__main__"),
    ("ignore", DeprecationWarning, ""),
    ("ignore", PendingDeprecationWarning, ""),
    ("ignore", ImportWarning, ""),
    ("ignore", ResourceWarning, ""),
)


def run_main(
    *args: str, cwd: Path = ROOT, columns: int = 200, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the command line in this process, the way the console script does, and capture its output.

    The console script calls ``main()`` of ``qimaturity.cli.main``, which turns bad input into messages and exit
    code 2 (click's ``CliRunner.invoke`` would call the click group instead and bypass that). So this calls it in
    ``CliRunner.isolation``, which swaps stdin, stdout and stderr for buffers and sets the environment for the
    call; the exit code is that of the ``SystemExit`` main raises, or 0. As with :func:`run_cli`, the terminal is
    ``columns`` wide (for rich and for click's help alike), ``cwd`` is the working directory, ``env`` adds
    environment variables, and warnings the interpreter would print go to stderr.
    """
    from click import formatting
    from click.testing import CliRunner

    from qimaturity.cli.main import main

    code = 0
    isolation = CliRunner().isolation(env={"COLUMNS": str(columns), **(env or {})})
    with contextlib.chdir(cwd), warnings.catch_warnings(record=True) as caught, isolation as (stdout, stderr, _):
        warnings.resetwarnings()
        for action, category, module in _INTERPRETER_FILTERS:
            warnings.filterwarnings(action, category=category, module=module, append=True)
        formatting.FORCED_WIDTH = None  # as in a real terminal: from COLUMNS (isolation restores it)
        try:
            main(list(args))
        except SystemExit as exit_:
            if exit_.code is None or isinstance(exit_.code, int):
                code = exit_.code or 0
            else:
                code = 1
                print(exit_.code, file=sys.stderr)
        for warning in caught:
            sys.stderr.write(
                warnings.formatwarning(warning.message, warning.category, warning.filename, warning.lineno)
            )
        sys.stdout.flush()
        sys.stderr.flush()
        out = stdout.getvalue().decode("utf-8", "replace")
        err = stderr.getvalue().decode("utf-8", "replace")
    return subprocess.CompletedProcess(["qimaturity", *args], code, out, err)


def without_fonts(tmp_path: Path) -> dict[str, str]:
    """The environment of a process that sees no font of the machine (fontconfig pointed at a configuration that
    lists no font folder), with the checkout importable. Code run in it can print :data:`COUNT_FONTS`'s line."""
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>\n"
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(config), "PYTHONPATH": str(ROOT)}
    env.pop("FONTCONFIG_PATH", None)
    return env


COUNT_FONTS = (
    "from weasyprint.text.ffi import ffi, fontconfig\n"
    "config = fontconfig.FcInitLoadConfigAndFonts()\n"
    "fonts = fontconfig.FcConfigGetFonts(config, fontconfig.FcSetSystem)\n"
    "print('system fonts:', 0 if fonts == ffi.NULL else fonts.nfont)\n"
)
"""Python code that prints ``system fonts: N``, the number of the machine's fonts fontconfig sees: 0 proves that
:func:`without_fonts` took them out of reach."""


def pdf_font_names(pdf: bytes) -> set[str]:
    """The base names of every font the PDF's pages use, without the subset prefix (ABCDEF+)."""
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"].get_object().get("/Font") or {}
        for ref in fonts.values():
            names.add(str(ref.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


SCORING_RUBRICS = DATA / "scoring" / "rubrics"
SCORING_ANSWERS = DATA / "scoring" / "answers"


def run_scoring(rubric_name: str, answers_name: str, **options):
    """Score a fixture answers file of tests/data/scoring/ against a fixture rubric of the same folder."""
    from qimaturity import load_assessment, load_rubric, score

    rubric = load_rubric(SCORING_RUBRICS / f"{rubric_name}.yaml")
    return score(rubric, load_assessment(SCORING_ANSWERS / f"{answers_name}.yaml", rubric), **options)


def adjustments(part):
    """(rule, level before, level after, applied) of every rule adjustment in a domain's or the overall trace."""
    return [(a.rule, a.level_before, a.level_after, a.applied) for a in part.trace.adjustments]


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture(scope="session")
def blank_template(tmp_path_factory) -> Path:
    """qi-readiness's blank spreadsheet template, as the questionnaire command writes it (a few seconds' work, so
    once per worker): read it, or copy it before changing it."""
    blank = tmp_path_factory.mktemp("blank") / "blank.xlsx"
    done = run_main("questionnaire", "qi-readiness", "-o", str(blank))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(blank)
    return blank


# ---- the markers, checked --------------------------------------------------------------------------------------


class _Allowed:
    """What the running test's markers allow; everything is allowed outside a test (collection, xdist itself)."""

    subprocess = True
    pdf = True
    test = ""


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event == "subprocess.Popen" and not _Allowed.subprocess:
        raise RuntimeError(f"{_Allowed.test} starts a process ({args[1]!r}): mark it @pytest.mark.subprocess")


sys.addaudithook(_audit)


def _guarded_write_pdf(write_pdf):
    def write(*args, **kwargs):
        if not _Allowed.pdf:
            raise RuntimeError(f"{_Allowed.test} writes a PDF: mark it @pytest.mark.slow")
        return write_pdf(*args, **kwargs)

    write.guarded = True
    return write


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before any fixture of the test is set up (a shared PDF is rendered in one): what its markers allow."""
    import weasyprint

    for kind in (weasyprint.HTML, weasyprint.Document):
        if not getattr(kind.write_pdf, "guarded", False):
            kind.write_pdf = _guarded_write_pdf(kind.write_pdf)
    _Allowed.subprocess = item.get_closest_marker("subprocess") is not None
    _Allowed.pdf = item.get_closest_marker("slow") is not None
    _Allowed.test = item.nodeid


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    _Allowed.subprocess, _Allowed.pdf, _Allowed.test = True, True, ""


def pytest_collection_modifyitems(config, items):
    """The files with the most slow tests first, and in each file its slow tests first: pytest-xdist hands out
    files in this order (`--dist loadfile`), so the long ones start at once on every worker instead of finishing
    last on one of them while the other waits."""

    def slow(item: pytest.Item) -> bool:
        return item.get_closest_marker("slow") is not None

    heavy: dict[str, int] = {}
    for item in items:
        heavy[item.path] = heavy.get(item.path, 0) + slow(item)
    items.sort(key=lambda item: (-heavy[item.path], not slow(item)))


@pytest.fixture(autouse=True)
def _no_rubric_search_path_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rubric ids are looked up in the folders of QIMATURITY_RUBRIC_PATH: the tests see only the folders they set,
    not those of the machine they run on."""
    monkeypatch.delenv("QIMATURITY_RUBRIC_PATH", raising=False)
