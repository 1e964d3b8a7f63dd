"""Generate the largest answers file qimaturity accepts: one organisation, as many respondents as fit.

    python scripts/make_large_answers.py out/large.yaml
    python scripts/make_large_answers.py out/large.yaml --max-bytes 200000 --comments 0.3

Respondents are spread over the rubric's groups as a staff survey would be (few board members, many frontline
staff); each answers every question open to their group, at levels around the organisation's maturity. Some
answers carry a comment of one to four sentences, some are N/A with a justification (where the rubric allows
N/A), and most answers at a level that needs evidence cite it. Respondents are added while the file stays within
``--max-bytes`` (default: the answers file limit, qimaturity._core.limits.MAX_DOCUMENT_BYTES). The same seed gives the
same file. Used by the tests that hold reports bounded on the largest supported input.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path
from typing import Any

import yaml

from qimaturity import load_rubric
from qimaturity._core.limits import MAX_DOCUMENT_BYTES

# Shares of a typical staff survey; a group the rubric lacks is skipped.
GROUP_SHARES = (("board", 0.04), ("managers", 0.2), ("frontline", 0.66), ("patient-partners", 0.1))

OPENINGS = (
    "On our ward",
    "In the district nursing team",
    "From where I sit on the board",
    "In my experience as a team leader",
    "Speaking for the therapy teams",
    "As a patient partner",
    "In the last year",
    "Since the new improvement programme started",
)
OBSERVATIONS = (
    "we have run two PDSA cycles on falls and the learning was shared at the safety huddle",
    "improvement work stops whenever staffing is short, which is most weeks in winter",
    "the executive lead is visible, but the message does not always reach night shifts",
    "training places fill quickly and the waiting list for the practitioner course is long",
    "patients were invited to the project group, but meetings are held in working hours",
    "we look at run charts every month, although few of us feel confident reading them",
    "managers ask what we are improving, and they follow up on what we say",
    "the golden thread from board objectives to team plans is clearer than it was",
    "our ideas board gets suggestions every week, but feedback on them is slow",
    "protected time for improvement exists on paper and is often cancelled at short notice",
)
CLOSINGS = (
    "More coaching support would make a real difference.",
    "It is better than two years ago.",
    "We need the data team to help us measure properly.",
    "This varies a lot between sites.",
    "I would like to see this discussed at the next team meeting.",
    "Patients notice the difference when it works.",
)
NA_REASONS = (
    "Our team has no improvement function of its own; support comes from the integrated care system's hub.",
    "This does not apply to my role: I do not attend the meetings where this is decided.",
    "The service started this year, so there is nothing yet to judge this by.",
)
EVIDENCE = (
    "Board paper: improvement portfolio",
    "Team improvement log",
    "QSIR training dashboard",
    "Patient partner register",
    "Run charts, monthly quality report",
)


def comment(rng: random.Random) -> str:
    """One to four sentences, as a respondent would write them in a survey's comment box."""
    sentences = [f"{rng.choice(OPENINGS)}, {rng.choice(OBSERVATIONS)}."]
    for _ in range(rng.randint(0, 2)):
        sentences.append(rng.choice(OBSERVATIONS).capitalize() + ".")
    if rng.random() < 0.5:
        sentences.append(rng.choice(CLOSINGS))
    return " ".join(sentences)


def respondent(rubric: Any, number: int, rng: random.Random, comments: float, date: str) -> dict[str, Any]:
    groups = [g for g, _ in GROUP_SHARES if g in {rg.id for rg in rubric.respondent_groups}]
    weights = [w for g, w in GROUP_SHARES if g in groups]
    group = rng.choices(groups, weights)[0] if groups else None
    top = rubric.levels[-1].value
    bottom = rubric.levels[0].value
    centre = 3.4 if group == "board" else 2.6
    answers: dict[str, Any] = {}
    for question in rubric.questions():
        if question.respondents and group not in question.respondents:
            continue
        if question.na_allowed and rng.random() < 0.04:
            answers[question.id] = {"na": True, "justification": rng.choice(NA_REASONS)}
            continue
        level = min(top, max(bottom, round(rng.gauss(centre, 0.9))))
        entry: dict[str, Any] = {"level": level}
        if rng.random() < comments:
            entry["comment"] = comment(rng)
        if question.evidence_from is not None and level >= question.evidence_from and rng.random() < 0.7:
            entry["evidence"] = [{"reference": rng.choice(EVIDENCE), "date": date}]
        answers[question.id] = entry if len(entry) > 1 else level
    item: dict[str, Any] = {"id": f"{group or 'respondent'}-{number:05d}", "answers": answers}
    if group is not None:
        item["group"] = group
    return item


def write_answers(
    path: Path, rubric_name: str = "qi-readiness", max_bytes: int = MAX_DOCUMENT_BYTES, comments: float = 0.2
) -> int:
    """Write the answers file at ``path`` and return how many respondents it holds."""
    rubric = load_rubric(rubric_name)
    rng = random.Random(10)
    date = "2026-09-30"
    head = yaml.safe_dump(
        {
            "rubric": {"id": rubric.id, "version": rubric.version},
            "organisation": {"id": "large-trust", "name": "Large Teaching Hospitals NHS Foundation Trust"},
            "date": date,
            "assessor": "Staff survey team",
        },
        sort_keys=False,
        allow_unicode=True,
    ).encode()
    parts = [head, b"respondents:\n"]
    size = sum(len(p) for p in parts)
    count = 0
    while True:
        chunk = yaml.safe_dump(
            [respondent(rubric, count + 1, rng, comments, date)], sort_keys=False, allow_unicode=True, width=1000
        ).encode()
        if size + len(chunk) > max_bytes:
            break
        parts.append(chunk)
        size += len(chunk)
        count += 1
    path.write_bytes(b"".join(parts))
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--rubric", default="qi-readiness")
    parser.add_argument("--max-bytes", type=int, default=MAX_DOCUMENT_BYTES)
    parser.add_argument("--comments", type=float, default=0.2, help="share of answers with a comment")
    args = parser.parse_args(argv)
    count = write_answers(args.output, args.rubric, args.max_bytes, args.comments)
    print(f"{args.output}: {count} respondents, {args.output.stat().st_size:,} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
