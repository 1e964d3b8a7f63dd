"""Gap reports stay bounded however many respondents answer: beyond MAX_LISTED_ANSWERS answers, or
MAX_REMARK_CHARS characters of comments, the appendices count answers per respondent group and print comments up
to a total, saying so and why. The largest supported answers file renders through the real CLI within 1 GiB."""

from __future__ import annotations

import dataclasses
import html
import io
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from qimaturity import load_assessment, load_rubric, score
from qimaturity._core.limits import MAX_DOCUMENT_BYTES, MAX_LISTED_ANSWERS, MAX_REMARK_CHARS
from qimaturity.report.render import render_html
from qimaturity.report.views import REMARK_LINE, AnswerView, Report, build_report

from .conftest import EXAMPLES_1_1, QI_READINESS_1_1, ROOT, run_cli

# Every group shown (min_group_size 1): these tests are about how much a report prints, with groups of one and two.
_QI_1_1 = load_rubric(QI_READINESS_1_1)
RUBRIC = dataclasses.replace(_QI_1_1, scoring=dataclasses.replace(_QI_1_1.scoring, min_group_size=1))
GENERATOR = ROOT / "scripts" / "make_large_answers.py"
GIB = 1 << 30


def generate(path: Path, *args: str) -> Path:
    """Write an answers file for RUBRIC with scripts/make_large_answers.py (as many respondents as fit in
    --max-bytes)."""
    done = subprocess.run(
        [sys.executable, str(GENERATOR), str(path), "--rubric", str(QI_READINESS_1_1), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return path


def report_of(path: Path) -> Report:
    return build_report(score(RUBRIC, load_assessment(path, RUBRIC)), RUBRIC)


def question(report: Report, question_id: str):
    return next(q for d in report.domains for q in d.questions if q.id == question_id)


def table_rows(page: str, question_id: str) -> list[list[str]]:
    """The cells of each body row of the summary table whose caption names the question, as text."""
    start = page.index(f'<span class="qid">{question_id}</span></caption>')
    body = page[page.index("<tbody>", start) : page.index("</tbody>", start)]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return [
        [
            " ".join(html.unescape(re.sub(r"<[^>]+>", "", cell)).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in rows
    ]


def cost(remark: AnswerView) -> int:
    """What a printed remark counts against MAX_REMARK_CHARS: who wrote it and everything they wrote, at least a
    line."""
    written = len(remark.comment or "") + len(remark.justification or "") + sum(len(e) for e in remark.evidence)
    return max(REMARK_LINE, len(remark.respondent) + len(remark.group) + written)


@pytest.fixture(scope="module")
def hand_worked(tmp_path_factory) -> Path:
    """trn-qi-team (asked of board and managers only, N/A allowed), answered by:
    board-1: 2, board-2: 2 (with a comment), board-3: N/A (justified); manager-1: 3; manager-2: no answer.
    Enough frontline respondents answer every question open to them (trn-qi-team is not theirs to answer) to
    push the assessment past MAX_LISTED_ANSWERS (so the appendix summarises) without touching
    trn-qi-team's table; manager-2 (or board-1) answers every other question, so that each has an answer."""
    answers_for = {
        "board-1": {"trn-qi-team": 2},
        "board-2": {"trn-qi-team": {"level": 2, "comment": "We share an improvement coach with the next trust."}},
        "board-3": {"trn-qi-team": {"na": True, "justification": "A regional improvement hub supports us."}},
        "manager-1": {"trn-qi-team": 3},
        "manager-2": {},
    }
    respondents = [
        {"id": rid, "group": "board" if rid.startswith("board") else "managers", "answers": answers}
        for rid, answers in answers_for.items()
    ]
    frontline = [q.id for q in RUBRIC.questions() if not q.respondents or "frontline" in q.respondents]
    assert "trn-qi-team" not in frontline
    for number in range(1, MAX_LISTED_ANSWERS // len(frontline) + 2):
        respondents.append({"id": f"frontline-{number}", "group": "frontline", "answers": dict.fromkeys(frontline, 3)})
    for q in RUBRIC.questions():
        if q.id != "trn-qi-team" and q.id not in frontline:
            if "managers" in q.respondents:
                answers_for["manager-2"][q.id] = 3
            elif "board" in q.respondents:
                answers_for["board-1"][q.id] = 3
            else:
                group = q.respondents[0]
                respondents.append({"id": f"{group}-for-{q.id}", "group": group, "answers": {q.id: 3}})
    document = {
        "rubric": {"id": RUBRIC.id, "version": RUBRIC.version},
        "organisation": {"id": "small", "name": "Small Community Trust"},
        "date": "2026-09-30",
        "respondents": respondents,
    }
    path = tmp_path_factory.mktemp("answers") / "hand-worked.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def test_per_group_counts_match_a_hand_worked_case(hand_worked):
    report = report_of(hand_worked)
    assert report.answers_summarised
    assert report.answer_count > MAX_LISTED_ANSWERS
    counts = {c.group: (c.levels, c.na, c.no_answer, c.respondents) for c in question(report, "trn-qi-team").counts}
    # Levels 1..5. Board: 2, 2, N/A -> level 2 x2, N/A x1, no answer 0, of 3.
    # Managers: 3 and nothing -> level 3 x1, no answer x1, of 2.
    # Frontline is not asked trn-qi-team: no row. All respondents = board + managers: 2 x2, 3 x1, N/A 1, none 1, of 5.
    assert counts == {
        "Board": ((0, 2, 0, 0, 0), 1, 0, 3),
        "Managers": ((0, 0, 1, 0, 0), 0, 1, 2),
        "All respondents": ((0, 2, 1, 0, 0), 1, 1, 5),
    }


def test_summarised_appendix_prints_the_counts_comments_and_why(hand_worked):
    page = render_html(score(RUBRIC, load_assessment(hand_worked, RUBRIC)), RUBRIC)
    assert table_rows(page, "trn-qi-team") == [
        ["Board (3)", "0", "2", "0", "0", "0", "1", "0"],
        ["Managers (2)", "0", "0", "1", "0", "0", "0", "1"],
        ["All respondents (5)", "0", "2", "1", "0", "0", "1", "1"],
    ]
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    assert "This appendix is a summary." in text
    assert f"more than the {MAX_LISTED_ANSWERS:,} a report lists one by one" in text
    # Comments and N/A justifications in full, the justification counted in the N/A appendix too.
    assert "board-2 (Board), level 2: We share an improvement coach with the next trust." in text
    assert "board-3 (Board), N/A: A regional improvement hub supports us." in text
    assert "Every comment and N/A justification (2) is printed in full" in text
    # No row per respondent anywhere: not in the answers appendix, not in the N/A list.
    assert 'class="answers-table"' not in page and 'class="na-list"' not in page
    assert "frontline-17" not in page


@pytest.fixture(scope="module")
def talkative(tmp_path_factory) -> Path:
    """Fewer answers than MAX_LISTED_ANSWERS, but every answer commented: more text than MAX_REMARK_CHARS."""
    return generate(tmp_path_factory.mktemp("answers") / "talkative.yaml", "--max-bytes", "240000", "--comments", "1")


@pytest.mark.subprocess  # the talkative file comes from scripts/make_large_answers.py
def test_comments_beyond_the_limit_are_shared_between_questions_and_groups_and_counted(talkative):
    report = report_of(talkative)
    assert report.answer_count <= MAX_LISTED_ANSWERS
    assert report.answers_summarised and "characters of comments" in (report.summary_reason or "")
    questions = [q for d in report.domains for q in d.questions]
    printed = [r for q in questions for r in q.remarks]
    assert sum(cost(r) for r in printed) <= MAX_REMARK_CHARS
    assert report.remarks_printed == len(printed) < report.remark_count
    assert report.remarks_printed + sum(q.remarks_left for q in questions) == report.remark_count
    # No question's comments crowd out another's, and within a question every group that commented is heard.
    assessment = yaml.safe_load(talkative.read_text())
    for q in questions:
        commented = {
            r["group"]
            for r in assessment["respondents"]
            if isinstance(r["answers"].get(q.id), dict) and r["answers"][q.id].get("comment")
        }
        assert commented, q.id
        groups = {RUBRIC_GROUPS[g] for g in commented}
        assert {r.group for r in q.remarks} == groups, q.id
    # Printed in full, and the report says how many more there are and where to read them.
    note = report.remarks_note or ""
    assert f"{report.remarks_printed:,} of {report.remark_count:,} are printed here" in note
    assert "qimaturity score RUBRIC ANSWERS --format json" in note


RUBRIC_GROUPS = {g.id: g.name for g in RUBRIC.respondent_groups}


@pytest.mark.slow
def test_long_comments_are_printed_up_to_the_limit_even_when_each_exceeds_an_equal_share(tmp_path):
    # Riverside's board-1 writes a 9,000-character comment on each of their answers: each is longer than an equal
    # share of MAX_REMARK_CHARS between the questions, yet as many as fit in it are printed, in full.
    document = yaml.safe_load((EXAMPLES_1_1 / "riverside-community.yaml").read_text())
    board = document["respondents"][0]
    long = ("The improvement hub has helped, but the waiting list for coaching is long. " * 120)[:9000]
    for qid, answer in board["answers"].items():
        board["answers"][qid] = (
            {**answer, "comment": long} if isinstance(answer, dict) else {"level": answer, "comment": long}
        )
    path = tmp_path / "long-comments.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    report = report_of(path)
    assert report.answers_summarised and report.answer_count <= MAX_LISTED_ANSWERS
    printed = [r for d in report.domains for q in d.questions for r in q.remarks]
    used = sum(cost(r) for r in printed)
    assert MAX_REMARK_CHARS - len(long) < used <= MAX_REMARK_CHARS  # no comment left out would still fit
    assert sum(1 for r in printed if r.comment == long) >= MAX_REMARK_CHARS // (len(long) + 200) - 1


@pytest.mark.slow
@pytest.mark.subprocess
def test_largest_answers_file_renders_a_bounded_pdf_within_one_gib(tmp_path):
    answers = generate(tmp_path / "largest.yaml")
    size = answers.stat().st_size
    assert MAX_DOCUMENT_BYTES - 5_000 < size <= MAX_DOCUMENT_BYTES
    respondents = len(yaml.load(answers.read_text(), Loader=yaml.CSafeLoader)["respondents"])
    out = tmp_path / "largest.pdf"
    done = run_cli(
        "report",
        str(QI_READINESS_1_1),
        str(answers),
        "-o",
        str(out),
        "--report-date",
        "2026-10-01",
        address_space=GIB,
        timeout=1800,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 < GIB
    pages = PdfReader(io.BytesIO(out.read_bytes())).pages
    # The bound: the report up to the appendices does not depend on the respondents (about 20 pages for this
    # rubric); the summarised appendices add one small table per question (about 7 pages) and at most
    # MAX_REMARK_CHARS characters of comments (about 20 pages at some 7,500 characters a two-column page).
    # Before the summary, a 4.9 MB file of 1,100 respondents gave 952 pages and needed 3.8 GB.
    assert len(pages) <= 60
    text = " ".join(" ".join(page.extract_text() or "" for page in pages).split())
    assert f"from {respondents:,} respondents" in text
    assert "This appendix is a summary." in text
