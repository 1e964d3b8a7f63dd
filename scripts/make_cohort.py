"""Generate a cohort of synthetic organisations' answers to qi-readiness, for examples, tests and benchmarks.

    python scripts/make_cohort.py examples/cohort --count 24 --history 6

Each organisation has a type, a region, a maturity of its own and respondent groups of varied sizes (boards of 8-12,
managers 5-8, frontline staff 12-20, patient partners 3-5), each answering only its group's questions; boards rate
a little higher than the rest. Answers at the evidence level of a question that asks for evidence usually cite the
organisation's evidence register, and only from the groups the question asks it of. With --history N, the first N
organisations also get an assessment a year earlier, at lower levels, so that trends can be shown.
The same seed gives the same files.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import yaml

from qimaturity import load_rubric

TYPES = ("acute", "community", "mental-health", "ambulance")
REGIONS = ("north-east", "north-west", "midlands", "london", "south-east", "south-west")
SIZES = {"board": (8, 12), "managers": (5, 8), "frontline": (12, 20), "patient-partners": (3, 5)}
PLACES = (
    "Ashford",
    "Birchwood",
    "Calder",
    "Dunmore",
    "Elmfield",
    "Fenwick",
    "Glenside",
    "Harrowby",
    "Ingleby",
    "Juniper",
    "Kingsmere",
    "Larkhill",
    "Marston",
    "Northam",
    "Oakridge",
    "Pennwick",
    "Queensbury",
    "Redbrook",
    "Stanmore",
    "Thornbury",
    "Upwell",
    "Valeside",
    "Westmoor",
    "Yarrow",
)


def organisation_answers(rubric, index: int, year: int, rng: random.Random, shift: float) -> dict:
    place = PLACES[index % len(PLACES)] + ("" if index < len(PLACES) else f" {index // len(PLACES) + 1}")
    kind = TYPES[index % len(TYPES)]
    maturity = min(4.6, max(1.2, rng.gauss(3.0, 0.8))) - shift
    offsets = {d.id: rng.gauss(0, 0.4) for d in rubric.domains}
    register = [
        {
            "id": "ev-1",
            "title": f"Board paper {year}/031: improvement report",
            "date": f"{year}-06-30",
            "owner": "Company secretary",
        },
        {
            "id": "ev-2",
            "title": f"Improvement training and project dashboard, {year}",
            "date": f"{year}-08-31",
            "owner": "Head of improvement",
        },
    ]
    respondents = []
    for group, (low, high) in SIZES.items():
        lift = 0.4 if group == "board" else -0.2 if group == "frontline" else 0.0
        for number in range(1, rng.randint(low, high) + 1):
            answers: dict = {}
            for question in rubric.questions():
                if question.respondents and group not in question.respondents:
                    continue
                level = round(maturity + offsets[question.domain_id] + lift + rng.gauss(0, 0.6))
                level = min(5, max(1, level))
                if (
                    question.evidence_from is not None
                    and level >= question.evidence_from
                    and group in question.evidence_groups
                    and rng.random() < 0.8
                ):
                    answers[question.id] = {"level": level, "evidence": [rng.choice(("ev-1", "ev-2"))]}
                else:
                    answers[question.id] = level
            respondents.append({"id": f"{group}-{number}", "group": group, "answers": answers})
    return {
        "rubric": {"id": rubric.id, "version": rubric.version},
        "organisation": {
            "id": f"org-{index + 1:05d}",
            "name": f"{place} {kind.replace('-', ' ').title()} NHS Trust",
            "type": kind,
            "region": REGIONS[(index * 7) % len(REGIONS)],
            "metadata": {"staff": 1000 + (index * 137) % 9000},
        },
        "date": f"{year}-09-30",
        "assessor": "Quality improvement team",
        "evidence": register,
        "respondents": respondents,
    }


def write_cohort(folder: Path, count: int, *, history: int = 0, seed: int = 2026) -> list[Path]:
    rubric = load_rubric("qi-readiness")
    folder.mkdir(parents=True, exist_ok=True)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    paths = []
    for index in range(count):
        rng = random.Random(seed * 100_003 + index)
        years = ((2025, 0.5), (2026, 0.0)) if index < history else ((2026, 0.0),)
        state = rng.getstate()
        for year, shift in years:
            rng.setstate(state)  # the same organisation, a year apart
            data = organisation_answers(rubric, index, year, rng, shift)
            path = folder / f"org-{index + 1:05d}-{year}.yaml"
            path.write_text(yaml.dump(data, Dumper=dumper, sort_keys=False, width=120), encoding="utf-8")
            paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--count", type=int, default=24)
    parser.add_argument("--history", type=int, default=6)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    paths = write_cohort(args.folder, args.count, history=args.history, seed=args.seed)
    print(f"{len(paths)} answers files in {args.folder}")


if __name__ == "__main__":
    main()
