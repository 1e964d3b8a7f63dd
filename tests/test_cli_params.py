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
MINI_LEVELS = "is not a level of mini (levels are 1 (Low), 2 (Mid), 3 (High))"


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
    (["--target", "leed=3"], "'--target': no domain or question 'leed' in rubric mini; did you mean 'lead'?"),
    (["--target", "9"], f"'--target': '9' {MINI_LEVELS}"),
    (["--target", "x"], f"'--target': 'x' {MINI_LEVELS}"),
    (["--target", "lead=9"], f"'--target': lead: '9' {MINI_LEVELS}"),
    (["--target", "lead="], f"'--target': lead: '' {MINI_LEVELS}"),
    (["--what-if", "lead-1"], "'--what-if': expected QUESTION=LEVEL with a question of mini, got 'lead-1'\n"),
    (["--what-if", "leed-1=2"], "'--what-if': no question 'leed-1' in rubric mini; did you mean 'lead-1'?"),
    (["--what-if", "lead-1=9"], f"'--what-if': lead-1: '9' {MINI_LEVELS}"),
    (["--fail-under", "9"], f"'--fail-under': '9' {MINI_LEVELS}"),
    (["--fail-under", "x"], f"'--fail-under': 'x' {MINI_LEVELS}"),
]


@pytest.mark.parametrize(("options", "message"), BAD_VALUES, ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_a_bad_value_checked_against_the_rubric_is_a_usage_error(cli, options, message):
    code, out, err = cli("score", MINI, ANSWERS, *options, "--format", "json")
    assert code == 2
    assert err.startswith(f"Error: Invalid value for {message}")
    assert err.count("\n") == 1  # one line: what is wrong and what to type instead, without the usage lines
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
    assert err.startswith(f"Error: Invalid value for {message}")
    assert err.count("\n") == 1
    assert out == "" and list(tmp_path.iterdir()) == []


def test_the_dates_and_formats_come_out_as_the_api_takes_them():
    assert DATE.convert("2026-10-01", None, None) == datetime.date(2026, 10, 1)
    assert FORMATS.convert("json, HTML,json", None, None) == ("json", "html")
    with pytest.raises(click.BadParameter, match="'2026-02-30' is not a date"):
        DATE.convert("2026-02-30", None, None)
    # The last bare level is every other target; ID=LEVEL ones stand beside it.
    assert targets_of([("lead", 3), (None, 2), ("overall", 1), (None, 3)]) == ({"lead": 3, "overall": 1}, 3)


SUGGESTED = [
    (
        ["explain", "qi-readiness", RIVERSIDE, "--question", "lead-role-model"],
        "'--question': no question 'lead-role-model' in rubric qi-readiness; did you mean 'lead-role-models'?",
    ),
    (
        ["explain", "qi-readiness", RIVERSIDE, "--domain", "leadershp"],
        "'--domain': no domain 'leadershp' in rubric qi-readiness; did you mean 'leadership'?",
    ),
    (
        ["show", "qi-readiness", "--domain", "governence"],
        "'--domain': no domain 'governence' in rubric qi-readiness; did you mean 'governance'?",
    ),
    (
        ["show", "qi-readiness", "--domain", "governence", "--format", "json"],
        "'--domain': no domain 'governence' in rubric qi-readiness; did you mean 'governance'?",
    ),
    (
        ["questionnaire", "qi-readiness", "-o", "{out}/form.html", "--group", "boards"],
        "'--group': no group 'boards' in rubric qi-readiness; did you mean 'board'?",
    ),
    (
        ["questionnaire", "qi-readiness", "-o", "{out}/form.json", "--fhir", "--group", "frontlin"],
        "'--group': no group 'frontlin' in rubric qi-readiness; did you mean 'frontline'?",
    ),
    (
        ["score", "qi-readiness", RIVERSIDE, "--target", "governence=4"],
        "'--target': no domain or question 'governence' in rubric qi-readiness; did you mean 'governance'?",
    ),
    (
        ["report", "qi-readiness", RIVERSIDE, "-o", "{out}/r.html", "--what-if", "lead-role-model=4"],
        "'--what-if': no question 'lead-role-model' in rubric qi-readiness; did you mean 'lead-role-models'?",
    ),
    (
        ["score", "qi-readiness", RIVERSIDE, "--fail-under", "Embeded"],
        "'--fail-under': 'Embeded' is not a level of qi-readiness; did you mean 'Embedded'?",
    ),
    (
        ["plan", "qi-readiness", RIVERSIDE, "--target", "leadership=exemplery"],
        "'--target': leadership: 'exemplery' is not a level of qi-readiness; did you mean 'Exemplary'?",
    ),
    (
        ["compare", "qi-readiness", EXAMPLES, "--group-by", "regoin"],
        "'--group-by': 'regoin' is not a field: did you mean 'region'? (or metadata.KEY)",
    ),
]


@pytest.mark.parametrize(("args", "message"), SUGGESTED, ids=lambda v: " ".join(v[-2:]) if isinstance(v, list) else "")
def test_a_mistyped_id_is_refused_in_one_line_naming_the_closest(cli, tmp_path, args, message):
    code, out, err = cli(*(a.replace("{out}", str(tmp_path)) for a in args))
    assert code == 2
    assert err == f"Error: Invalid value for {message}\n"
    assert out == "" and list(tmp_path.iterdir()) == []


def test_an_id_with_nothing_close_names_the_ids_or_where_to_find_them(cli):
    _, _, err = cli("explain", MINI, ANSWERS, "--domain", "finance")
    assert err == "Error: Invalid value for '--domain': no domain 'finance' in rubric mini (its domains: lead, meth)\n"
    # qi-readiness has 55 questions: too many to list in a line.
    _, _, err = cli("explain", "qi-readiness", RIVERSIDE, "--question", "zzz")
    assert err.endswith("no question 'zzz' in rubric qi-readiness (qimaturity show RUBRIC lists them)\n")


def test_a_mistyped_rubric_id_names_the_closest_rubric(cli):
    for args in (
        ["score", "qi-readines", RIVERSIDE],
        ["compare", "qi-readiness", EXAMPLES, "--with-rubric", "qi-redness"],
    ):
        code, _, err = cli(*args)
        assert code == 2 and err.count("\n") == 1
        assert "no rubric has this id, and there is no such file (did you mean 'qi-readiness'?" in err


def test_a_level_is_taken_by_its_name_in_any_case(cli):
    # mini's levels: 1 Low, 2 Mid, 3 High; --target HIGH is --target 3.
    code, out, err = cli("score", MINI, ANSWERS, "--format", "json", "--target", "HIGH", "--target", "lead=mid")
    assert code == 0, err
    data = json.loads(out)
    assert data["overall"]["target"] == 3
    assert {d["id"]: d["target"] for d in data["domains"]} == {"lead": 2, "meth": 3}


def test_a_group_is_taken_by_its_id_or_its_name(cli, tmp_path):
    for group in ("patient-partners", "Patient partners"):
        code, out, err = cli("questionnaire", "qi-readiness", "-o", str(tmp_path / "form.html"), "--group", group)
        assert code == 0, err


@pytest.mark.parametrize("option", ["--question", "--domain", "--fail-under"])
def test_a_long_unknown_value_is_quoted_short(cli, option):
    # A value of 3,000 characters is cut to 80 with its length said, and not compared with every id (difflib).
    code, _, err = cli("explain", "qi-readiness", RIVERSIDE, option, "x" * 3000)
    if option == "--fail-under":
        code, _, err = cli("score", "qi-readiness", RIVERSIDE, option, "x" * 3000)
    assert code == 2
    assert "(3,000 characters)" in err and len(err) < 400, err


WRONG_OUTPUTS = [
    (["score", MINI, ANSWERS], "the output must end in .json, .csv or .xlsx"),
    (["report", MINI, ANSWERS], "the output must end in .pdf or .html"),
    (["plan", MINI, ANSWERS], "the action log must end in .csv or .xlsx"),
    (["compare", MINI, ANSWERS], "the output must end in .html, .pdf, .csv, .xlsx or .json"),
    (["questionnaire", MINI], "the output must end in .html, .pdf or .xlsx"),
    (["rubric", "to-xlsx", MINI], "the output must end in .xlsx"),
    (["rubric", "new", "abc"], "the output must end in .yaml or .yml"),
]


@pytest.mark.parametrize(
    ("command", "message"), WRONG_OUTPUTS, ids=lambda v: " ".join(v[:2]) if isinstance(v, list) else ""
)
def test_an_output_of_the_wrong_kind_is_refused_in_one_line(cli, tmp_path, command, message):
    # Said before anything is read or written, in the one line that names what to give (before, click's two usage
    # lines and a blank line came first).
    code, out, err = cli(*command, "-o", tmp_path / "out.txt")
    assert (code, out) == (2, "")
    assert err == f"Error: Invalid value for -o/--output: {message}\n"
    assert list(tmp_path.iterdir()) == []
