"""Every optional feature says which extra it needs: one line, exit code 2, no traceback, nothing written.

A plain ``pip install qimaturity`` has none of the extras' packages. The command line runs here in a fresh
interpreter whose import system refuses them (:data:`REFUSE`: a finder, first on ``sys.meta_path``, that raises
``ModuleNotFoundError`` for them, as the import of a package that is not installed does), from the checkout, so
that what is tested is this code, not an installed copy.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Iterable
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from qimaturity._core.extras import EXTRAS, ExtraMissing, extra_imports, install_command, require_extras

from .conftest import DATA, EXAMPLES_1_1, QI_READINESS_1_1, ROOT, RUBRICS
from .packages import base_dependencies, closure, optional_dependencies

FHIR_RESPONSE = DATA / "fhir" / "r4-single-response.json"
PLAIN = sorted({module.split(".")[0] for modules in EXTRAS.values() for module in modules})
"""The top-level modules of every extra: what a plain installation lacks."""
DASK = ["dask", "distributed"]

REFUSE = """
import importlib.abc, sys
refused = set(filter(None, sys.argv[1].split(",")))
class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in refused:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Refuse())
"""
CLI = REFUSE + "from qimaturity.cli.main import main\nmain(sys.argv[2:])\n"


def run_without(refused: Iterable[str], *args: str, code: str = CLI) -> subprocess.CompletedProcess[str]:
    """``code`` (the command line, with ``args``) in a fresh interpreter that cannot import ``refused``."""
    return subprocess.run(
        [sys.executable, "-c", code, ",".join(refused), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"},
    )


# --- the one home -----------------------------------------------------------------------------------------------


def test_the_message_names_the_feature_the_extras_and_the_install_command():
    assert str(ExtraMissing("serve", ["web"])) == "serve needs the web extra: pip install 'qimaturity[web]'"
    both = ExtraMissing("--scheduler", ["dask", "scale"])
    assert str(both) == "--scheduler needs the dask and scale extras: pip install 'qimaturity[dask,scale]'"
    problem = both.problem("survey.parquet")
    assert str(problem) == (
        "survey.parquet: /: --scheduler needs the dask and scale extras (pip install 'qimaturity[dask,scale]')"
    )
    assert install_command(["fhir"]) == "pip install 'qimaturity[fhir]'"


def test_an_extra_missing_is_an_import_error_and_survives_a_worker_process():
    error = ExtraMissing("score_export()", ["scale"], "polars")
    assert isinstance(error, ImportError)
    assert error.name == "polars"
    again = pickle.loads(pickle.dumps(error))
    assert (type(again), str(again), again.name, again.extras) == (ExtraMissing, str(error), "polars", ("scale",))


def test_a_missing_module_of_an_extra_becomes_the_extra_and_any_other_stays_as_it_is(monkeypatch):
    monkeypatch.setitem(sys.modules, "polars", None)  # importing it now raises ModuleNotFoundError
    with pytest.raises(ExtraMissing, match=r"^to_polars\(\) needs the scale extra"), extra_imports("to_polars()"):
        import polars  # noqa: F401
    with pytest.raises(ModuleNotFoundError) as caught, extra_imports("anything"):
        import qimaturity_no_such_module  # noqa: F401
    assert not isinstance(caught.value, ExtraMissing)


def test_require_extras_names_only_those_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    require_extras("score-export", "scale")  # installed in the test environment: nothing raised
    with pytest.raises(ExtraMissing) as caught:
        require_extras("--scheduler", "dask", "scale")
    assert caught.value.extras == ("dask",)


def test_the_extras_modules_are_those_of_pyproject():
    optional = optional_dependencies()
    base = {canonicalize_name(r.name) for r in base_dependencies()}
    assert set(EXTRAS) == set(optional) - {"test"}  # every extra but the test tools is a feature's
    modules_of: dict[str, set[str]] = {}
    for module, distributions in packages_distributions().items():
        for distribution in distributions:
            modules_of.setdefault(canonicalize_name(distribution), set()).add(module)
    for extra, modules in EXTRAS.items():
        tops = {module.split(".")[0] for module in modules}
        named = [r for r in optional[extra] if canonicalize_name(r.name) not in base]
        for requirement in named:  # each package the extra adds is one the check looks for
            assert modules_of[canonicalize_name(requirement.name)] & tops, (extra, requirement.name)
        brought = set().union(*(modules_of.get(d, set()) for d in closure(named)))
        assert tops <= brought, (extra, tops - brought)  # and each module looked for comes with the extra


# --- the command line: one line, exit 2 ---------------------------------------------------------------------------


@pytest.fixture
def exports(tmp_path: Path) -> Path:
    """A CSV and a Parquet export's names: the extras are checked before either is read."""
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "survey.csv").write_text("organisation_id,respondent\n", encoding="utf-8")
    (folder / "survey.parquet").write_bytes(b"PAR1")
    return folder


SCHEDULER = "tcp://127.0.0.1:9"  # never reached: the extras are checked first

CASES = {
    "questionnaire --fhir": (
        ["questionnaire", "qi-readiness", "--fhir", "-o", "{out}/q.json"],
        "writing a FHIR Questionnaire needs the fhir extra: pip install 'qimaturity[fhir]'",
    ),
    "questionnaire --fhir-r5": (
        ["questionnaire", "qi-readiness", "--fhir-r5", "-o", "{out}/q.json"],
        "writing a FHIR Questionnaire needs the fhir extra: pip install 'qimaturity[fhir]'",
    ),
    "import of a FHIR file": (
        ["import", str(QI_READINESS_1_1), str(FHIR_RESPONSE), "-o", "{out}/answers.yaml"],
        "reading FHIR responses needs the fhir extra: pip install 'qimaturity[fhir]'",
    ),
    "score-export": (
        ["score-export", "qi-readiness", "{exports}/survey.csv", "-o", "{out}/scores.csv"],
        "score-export needs the scale extra: pip install 'qimaturity[scale]'",
    ),
    "score-export --scheduler": (
        ["score-export", "qi-readiness", "{exports}/survey.parquet", "-o", "{out}/s.csv", "--scheduler", SCHEDULER],
        "score-export --scheduler needs the dask and scale extras: pip install 'qimaturity[dask,scale]'",
    ),
    "compare --scheduler": (
        ["compare", "qi-readiness", "{exports}/survey.parquet", "-o", "{out}/cohort.csv", "--scheduler", SCHEDULER],
        "--scheduler needs the dask and scale extras: pip install 'qimaturity[dask,scale]'",
    ),
    "batch --scheduler": (
        ["batch", str(QI_READINESS_1_1), str(EXAMPLES_1_1), "-o", "{out}/reports", "--formats", "json"]
        + ["--scheduler", SCHEDULER],
        "--scheduler needs the dask extra: pip install 'qimaturity[dask]'",
    ),
    "serve": (["serve", "--data", "{out}/data"], "serve needs the web extra: pip install 'qimaturity[web]'"),
    "manage": (
        ["manage", "--data", "{out}/data", "check"],
        "manage needs the web extra: pip install 'qimaturity[web]'",
    ),
}


@pytest.mark.subprocess
@pytest.mark.parametrize("feature", list(CASES))
def test_a_plain_installation_says_which_extra_a_feature_needs(feature, tmp_path, exports):
    args, message = CASES[feature]
    out = tmp_path / "out"
    out.mkdir()
    done = run_without(PLAIN, *(a.format(out=out, exports=exports) for a in args))
    assert (done.returncode, done.stderr, done.stdout) == (2, f"qimaturity: {message}\n", "")
    assert list(out.iterdir()) == []  # nothing written: no output, no data folder, no batch folder


@pytest.mark.subprocess
def test_scheduler_names_only_the_extra_that_is_missing(tmp_path, exports):
    done = run_without(DASK, "score-export", "qi-readiness", str(exports / "survey.parquet"), "--scheduler", SCHEDULER)
    expected = "qimaturity: score-export --scheduler needs the dask extra: pip install 'qimaturity[dask]'\n"
    assert (done.returncode, done.stderr) == (2, expected)


# --- a file among others: its problem, and the others are read --------------------------------------------------


@pytest.mark.subprocess
def test_a_fhir_file_among_answers_files_is_a_problem_of_that_file_alone():
    riverside = EXAMPLES_1_1 / "riverside-community.yaml"
    done = run_without(PLAIN, "score", str(QI_READINESS_1_1), str(FHIR_RESPONSE), str(riverside), "--format", "csv")
    assert done.returncode == 2
    problem = f"{FHIR_RESPONSE}: /: reading FHIR responses needs the fhir extra (pip install 'qimaturity[fhir]')"
    assert done.stderr.splitlines() == [problem]
    assert "riverside,Riverside Community Health NHS Trust" in done.stdout  # the answers file is scored


@pytest.mark.subprocess
def test_a_parquet_export_without_polars_is_a_problem_of_that_file(exports):
    done = run_without(PLAIN, "compare", str(QI_READINESS_1_1), str(exports / "survey.parquet"), str(EXAMPLES_1_1))
    assert done.returncode == 2
    problem = f"{exports / 'survey.parquet'}: /: reading a Parquet export needs the scale extra"
    assert f"{problem} (pip install 'qimaturity[scale]')" in done.stderr.splitlines()
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr


@pytest.mark.subprocess
def test_import_of_an_export_without_polars_writes_the_same_files(tmp_path):
    """The columnar importer only makes an import faster: without Polars, the row importer writes the same files."""
    export = tmp_path / "survey.csv"
    # Two organisations of the minimal rubric (tests/data/rubrics/valid-minimal.yaml), in the common shape.
    export.write_text(
        "organisation_id,organisation_name,date,respondent,group,lead-1,lead-2,meth-1\n"
        "RA1,Alder,2026-03-31,a1,board,2,2,2\n"
        "RA1,Alder,2026-03-31,a2,staff,2,3,2\n"
        "RB2,Birch,2026-03-31,b1,board,1,1,1\n",
        encoding="utf-8",
    )
    written = {}
    for name, refused in (("plain", PLAIN), ("scale", [])):
        out = tmp_path / name
        done = run_without(refused, "import", str(RUBRICS / "valid-minimal.yaml"), str(export), "-o", str(out))
        assert done.returncode == 0, done.stderr
        written[name] = {path.name: path.read_bytes() for path in sorted(out.iterdir())}
    assert sorted(written["plain"]) == ["RA1.yaml", "RB2.yaml"]
    assert written["plain"] == written["scale"]


# --- the Python API ---------------------------------------------------------------------------------------------

API = (
    REFUSE
    + """
import qimaturity
from qimaturity.answers.fhir import questionnaire, read_responses
rubric = qimaturity.load_rubric(sys.argv[2])
result = qimaturity.score(rubric, qimaturity.load_assessment(sys.argv[3], rubric))
for call in (
    lambda: qimaturity.score_export(rubric, sys.argv[4]),
    lambda: result.to_polars(),
    lambda: questionnaire(rubric),
    lambda: read_responses(sys.argv[5], rubric),
):
    try:
        call()
    except ImportError as error:
        print(type(error).__name__, error)
"""
)


@pytest.mark.subprocess
def test_the_api_raises_an_import_error_naming_the_extra(exports):
    riverside = EXAMPLES_1_1 / "riverside-community.yaml"
    args = [str(QI_READINESS_1_1), str(riverside), str(exports / "survey.csv"), str(FHIR_RESPONSE)]
    done = run_without(PLAIN, *args, code=API)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "ExtraMissing score_export() needs the scale extra: pip install 'qimaturity[scale]'",
        "ExtraMissing to_polars() needs the scale extra: pip install 'qimaturity[scale]'",
        "ExtraMissing writing a FHIR Questionnaire needs the fhir extra: pip install 'qimaturity[fhir]'",
        "ExtraMissing reading FHIR responses needs the fhir extra: pip install 'qimaturity[fhir]'",
    ]
