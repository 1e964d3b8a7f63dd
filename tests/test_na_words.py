"""The words for N/A have one home (qimaturity._core.na): `import`, `score-export` and filled templates take the same.

Before, `import` took "not applicable" and `score-export` refused it as "not a level", and the template reader did
not take "not  applicable" with two spaces, which `import` did.
"""

from __future__ import annotations

import csv
import io
import sys
import unicodedata
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qimaturity import load_rubric
from qimaturity._core.na import NA_TEXT, NA_WORDS, WHITESPACE, is_na_text, na_key, na_pattern

from .conftest import QI_READINESS_1_1, run_main
from .test_columnar import without_intervals

RUBRIC = load_rubric(QI_READINESS_1_1)
SPELLINGS = [
    "N/A",
    "n/a",
    "NA",
    "na",
    "n.a.",
    "N.A",
    "Not applicable",
    "  NOT APPLICABLE ",
    "not \t applicable",
    "not\u00a0applicable",  # a no-break space, as a spreadsheet may put between words
]


def test_what_counts_as_na():
    assert all(is_na_text(text) for text in SPELLINGS)
    assert is_na_text(NA_TEXT)  # what the questionnaire template offers in its drop-down lists
    for text in ["", "n", "nan", "n/a.", "n / a", "N-A", "not-applicable", "notapplicable", "none", "0", "n.a.."]:
        assert not is_na_text(text), text
    assert na_key("  Not\u2003 Applicable\n") == "not applicable"


def _polars_says(texts: list[str]) -> list[bool]:
    return pl.Series(texts, dtype=pl.String).str.contains(na_pattern()).to_list()


# Text close to the words: their letters in both cases, every kind of whitespace, the punctuation, and characters
# whose case folds into ASCII letters (Kelvin sign, long s, sharp s, dotted and dotless i, ligatures, full width).
_NEAR = "napoltcibeNAPOLTCIBE/." + WHITESPACE + "\u212a\u017f\u00df\u0130\u0131\ufb01\ufb02\ufb05\uff2e\u0307x3"


@st.composite
def _cell_texts(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return draw(st.text(alphabet=_NEAR, max_size=18))
    word = draw(st.sampled_from(sorted(NA_WORDS)))
    cased = "".join(c.upper() if draw(st.booleans()) else c for c in word)
    spaces = st.text(alphabet=WHITESPACE, max_size=3)
    inner = cased.replace(" ", draw(spaces) + draw(st.sampled_from(list(WHITESPACE))))
    return draw(spaces) + inner + draw(spaces)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.lists(_cell_texts(), min_size=1, max_size=20))
def test_score_exports_polars_pattern_takes_what_is_na_text_takes(texts: list[str]) -> None:
    assert _polars_says(texts) == [is_na_text(t) for t in texts]


@pytest.mark.slow
def test_the_pattern_and_casefold_agree_on_every_character():
    """Exhaustively, for the letters of the words: Rust's case-insensitive match of one letter takes exactly the
    characters that casefold to it; no character casefolds to several of the words' characters (so no single
    character could stand for two); and whitespace is the same set for both."""
    everything = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) != "Cs"]
    letters = sorted({c for word in NA_WORDS for c in word if c.isalpha()})
    series = pl.Series(everything, dtype=pl.String)
    for letter in letters:
        by_rust = series.str.contains(f"(?i)^{letter}$").to_list()
        assert by_rust == [c.casefold() == letter for c in everything], letter
    alphabet = set("".join(NA_WORDS))
    assert [c for c in everything if len(c.casefold()) > 1 and set(c.casefold()) <= alphabet] == []
    assert [c for c in everything if c.isspace()] == list(WHITESPACE)


# --- the same export through import and score-export ---------------------------------------------------------
def _asked(question_respondents: tuple[str, ...], group: str) -> bool:
    return not question_respondents or group in question_respondents


def na_export(spellings: list[str]) -> str:
    """One organisation: a board member per spelling, each saying it to both questions that allow N/A
    (gov-regulator-compact, trn-qi-team); two managers, both N/A (in the first spelling) to gov-regulator-compact,
    and 2 and 4 to trn-qi-team; one frontline member and one patient partner. Every other answer is 3."""
    questions = list(RUBRIC.questions())
    people = [(f"board-{i}", "board") for i in range(1, len(spellings) + 1)]
    people += [("manager-1", "managers"), ("manager-2", "managers"), ("frontline-1", "frontline")]
    people += [("patient-1", "patient-partners")]
    rows = [["organisation_id", "organisation_name", "date", "respondent", "group", *(q.id for q in questions)]]
    for index, (person, group) in enumerate(people):
        cells = []
        for q in questions:
            if not _asked(q.respondents, group):
                cells.append("")
            elif group == "board" and q.na_allowed:
                cells.append(spellings[index])
            elif person.startswith("manager") and q.id == "gov-regulator-compact":
                cells.append(spellings[0])
            elif person.startswith("manager") and q.id == "trn-qi-team":
                cells.append("2" if person == "manager-1" else "4")
            else:
                cells.append("3")
        rows.append(["rx1", "Riverside", "2026-09-30", person, group, *cells])
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _through_both(folder: Path, spellings: list[str]) -> tuple[str, str, str]:
    """(the answers file import writes, score's CSV of it, score-export's CSV of the export)."""
    folder.mkdir()
    export = folder / "survey.csv"
    export.write_text(na_export(spellings), encoding="utf-8")
    imported = run_main("import", str(QI_READINESS_1_1), str(export), "-o", str(folder / "rx1.yaml"))
    assert imported.returncode == 0, imported.stderr
    scored = run_main("score", str(QI_READINESS_1_1), str(folder / "rx1.yaml"), "--format", "csv")
    assert scored.returncode == 0, scored.stderr
    exported = run_main("score-export", str(QI_READINESS_1_1), str(export))
    assert exported.returncode == 0, exported.stderr
    return (folder / "rx1.yaml").read_text(encoding="utf-8"), scored.stdout, exported.stdout


@pytest.mark.slow
def test_import_and_score_export_take_every_na_spelling_and_give_the_same_answers(tmp_path):
    answers, by_score, by_score_export = _through_both(tmp_path / "spelt", SPELLINGS)
    canonical = _through_both(tmp_path / "canonical", ["N/A"] * len(SPELLINGS))
    # Every spelling reads as the N/A that `N/A` is: the same answers file, the same scores by both commands.
    assert (answers, by_score, by_score_export) == canonical
    # score-export leaves out the respondents of a question everyone answered N/A (score counts the answers it
    # lists: the 10 board members', the 2 managers being a group of fewer than 3 respondents, not shown), on main
    # before this change too; every other cell is the same.
    # trn-qi-team likewise: the board said N/A, the managers' levels are not shown (score counts the 10 N/A answers).
    # (score's CSV carries the intervals, which score-export writes only with --intervals.)
    assert by_score_export == without_intervals(by_score).replace(
        "gov-regulator-compact,,10,na,", "gov-regulator-compact,,,na,"
    ).replace("trn-qi-team,,10,answered,", "trn-qi-team,,,answered,")
    assert answers.count("na: true") == 2 * len(SPELLINGS) + 2
    rows = {(r["scope"], r["id"]): r for r in csv.DictReader(io.StringIO(by_score_export))}
    # By hand: gov-regulator-compact is N/A from everyone who answered it: N/A, left out of its domain.
    # trn-qi-team: the board said N/A, the managers 2 and 4: median(2, 4) = 3 (counted, not shown). Every other
    # answer is 3, so every question, domain and the overall result is 3.
    assert rows["question", "gov-regulator-compact"]["status"] == "na"
    assert rows["question", "trn-qi-team"]["value"] == "3"
    assert rows["question", "trn-qi-team"]["respondents"] == ""  # the two managers: a group not shown
    assert {r["value"] for (scope, _), r in rows.items() if scope in ("overall", "domain")} == {"3"}


@pytest.mark.slow
def test_a_filled_template_takes_every_na_spelling(blank_template, tmp_path):
    from qimaturity.answers.template import read_template

    from .test_questionnaire import RESPONDENTS, _round_trip_answers, fill

    # One workbook, one board member per spelling: each answers trn-qi-team with that spelling and a comment
    # (the rest of their answers are the round trip's board-1's, who leaves trn-qi-team to the manager).
    board = dict(_round_trip_answers()[0][1], **{"trn-qi-team comment": "We use the regional improvement hub."})
    people = [{**RESPONDENTS[0], "respondent": f"board-{i}"} for i, _ in enumerate(SPELLINGS, start=1)]
    rows = [(p["respondent"], {**board, "trn-qi-team": s}) for p, s in zip(people, SPELLINGS, strict=True)]
    path = fill(blank_template.read_bytes(), tmp_path / "filled.xlsx", people, rows)
    (document,) = read_template(path, load_rubric("qi-readiness"))  # the blank template is the bundled rubric's
    answers = {r["id"]: r["answers"]["trn-qi-team"] for r in document["respondents"]}
    for person, spelling in zip(people, SPELLINGS, strict=True):
        assert answers[person["respondent"]] == {"na": True, "justification": "We use the regional improvement hub."}, (
            spelling
        )
