"""The command line's argument types (qimaturity/cli/params.py): every bad value is a usage error, exit code 2,
"Invalid value for '--option': what is wrong (what to do)", before any file is read or written."""

from __future__ import annotations

import datetime
import json

import click
import pytest

from qimaturity.cli.main import main
from qimaturity.cli.params import DATE, FORMATS, targets_of

from .conftest import DATA, EXAMPLES_1_1

MINI = str(DATA / "rubrics" / "valid-minimal.yaml")
ANSWERS = str(DATA / "answers" / "mini-two-groups.yaml")
RIVERSIDE = str(EXAMPLES_1_1 / "riverside-community.yaml")
EXAMPLES = str(EXAMPLES_1_1)
MINI_LEVELS = "is not a level of mini (levels are 1, 2, 3)"


@pytest.fixture
def cli(capsys):
    """The real entry point in this process: (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


BAD_VALUES = [
    (["--target", "leed=3"], "'--target': no domain or question 'leed' in mini (did you mean 'lead'?)"),
    (["--target", "9"], f"'--target': '9' {MINI_LEVELS}"),
    (["--target", "x"], f"'--target': 'x' {MINI_LEVELS}"),
    (["--target", "lead=9"], f"'--target': lead: '9' {MINI_LEVELS}"),
    (["--target", "lead="], f"'--target': lead: '' {MINI_LEVELS}"),
    (["--what-if", "lead-1"], "'--what-if': expected QUESTION=LEVEL with a question of mini, got 'lead-1'\n"),
    (["--what-if", "leed-1=2"], "'--what-if': expected QUESTION=LEVEL with a question of mini, got 'leed-1=2' (did"),
    (["--what-if", "lead-1=9"], f"'--what-if': lead-1: '9' {MINI_LEVELS}"),
    (["--fail-under", "9"], f"'--fail-under': '9' {MINI_LEVELS}"),
    (["--fail-under", "x"], f"'--fail-under': 'x' {MINI_LEVELS}"),
]


@pytest.mark.parametrize(("options", "message"), BAD_VALUES, ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_a_bad_value_checked_against_the_rubric_is_a_usage_error(cli, options, message):
    code, out, err = cli("score", MINI, ANSWERS, *options, "--format", "json")
    assert code == 2
    assert err.startswith("Usage: qimaturity score [OPTIONS] RUBRIC ANSWERS...")
    assert f"Error: Invalid value for {message}" in err
    assert out == ""


def test_an_option_before_the_rubric_is_still_checked_against_it(cli):
    # RUBRIC is read first whatever the order on the command line, so the options can be checked against it.
    code, out, _ = cli("score", "--target", "3", "--what-if", "lead-2=3", MINI, ANSWERS, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["overall"]["target"] == 3 and data["projection"]["changes"] == {"lead-2": 3}
    code, _, err = cli("score", "--target", "lead=7", MINI, ANSWERS)
    assert code == 2 and f"Invalid value for '--target': lead: '7' {MINI_LEVELS}" in err


def test_a_bad_rubric_with_a_target_is_reported_as_the_rubric_not_a_crash(cli):
    code, _, err = cli("score", "no-such-rubric", ANSWERS, "--target", "3")
    assert code == 2
    assert err.startswith("no-such-rubric: /: no rubric has this id, and there is no such file")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["explain", "qi-readiness", RIVERSIDE, "--target", "7"], "'--target': '7' is not a level of qi-readiness"),
        (["report", "qi-readiness", RIVERSIDE, "-o", "{out}/r.html", "--target", "foo=3"], "'--target': no domain"),
        (["report", "qi-readiness", RIVERSIDE, "-o", "{out}/r.html", "--report-date", "2026-13-01"], "'--report-date'"),
        (["compare", "qi-readiness", EXAMPLES, "--report-date", "bad"], "'--report-date': 'bad' is not a date"),
        (["compare", "qi-readiness", EXAMPLES, "-o", "{out}/c.pdf", "--report-date", "bad"], "'--report-date'"),
        (["batch", "qi-readiness", EXAMPLES, "-o", "{out}/b", "--report-date", "2020-02-30"], "'--report-date'"),
        (["batch", "qi-readiness", EXAMPLES, "-o", "{out}/b", "--formats", "json,docx"], "'--formats': unknown"),
        (["batch", "qi-readiness", EXAMPLES, "-o", "{out}/b", "--formats", ","], "'--formats': no format given"),
        (["batch", "qi-readiness", EXAMPLES, "-o", "{out}/b", "--target", "foo=3"], "'--target': no domain or"),
        (["score-export", "qi-readiness", "export.csv", "--target", "foo=1"], "'--target': no domain or question"),
    ],
    ids=lambda v: " ".join(v[:1] + v[3:]).replace("{out}/", "") if isinstance(v, list) else "",
)
def test_every_command_reports_a_bad_value_the_same_way_and_writes_nothing(cli, tmp_path, args, message):
    code, out, err = cli(*(a.replace("{out}", str(tmp_path)) for a in args))
    assert code == 2
    assert err.startswith(f"Usage: qimaturity {args[0]} ")
    assert f"Error: Invalid value for {message}" in err
    assert out == "" and list(tmp_path.iterdir()) == []


def test_the_dates_and_formats_come_out_as_the_api_takes_them():
    assert DATE.convert("2026-10-01", None, None) == datetime.date(2026, 10, 1)
    assert FORMATS.convert("json, HTML,json", None, None) == ("json", "html")
    with pytest.raises(click.BadParameter, match="'2026-02-30' is not a date"):
        DATE.convert("2026-02-30", None, None)
    # The last bare level is every other target; ID=LEVEL ones stand beside it.
    assert targets_of([("lead", 3), (None, 2), ("overall", 1), (None, 3)]) == ({"lead": 3, "overall": 1}, 3)
