"""Write the three illustrative example organisations' answers to qi-readiness (examples/answers).

    python scripts/make_examples.py examples/answers

The organisations are invented. Each has a profile: a maturity per domain, and per group an offset (boards rate
their organisation higher than frontline staff do; at Riverside clearly so in leadership and culture). Each
respondent answers only the questions asked of their group, around the profile with some noise; evidence is cited
only by the groups a question asks it of, from the organisation's evidence register, dated within the rubric's
max_age_days. N/A is used only where a question allows it. The same seed gives the same files.
"""

from __future__ import annotations

import argparse
import datetime
import random
import textwrap
from pathlib import Path

import yaml

from qimaturity import load_rubric

DOMAINS = (
    "leadership",
    "governance",
    "management-system",
    "training-capability",
    "culture-engagement",
    "safety-learning",
    "patient-involvement",
    "method-measurement",
    "results-sustainability",
)

ROLES = {
    "board": [
        "Chair",
        "Chief executive",
        "Chief nurse",
        "Medical director",
        "Director of finance",
        "Chief operating officer",
        "Director of people",
        "Non-executive director",
        "Non-executive director, chair of the quality committee",
        "Non-executive director, audit chair",
        "Director of strategy",
        "Associate non-executive director",
    ],
    "managers": [
        "Divisional director of operations",
        "Head of nursing",
        "Service manager",
        "Clinical director",
        "Deputy director of quality",
        "Head of patient experience",
        "General manager",
        "Matron",
    ],
    "frontline": [
        "Staff nurse",
        "Healthcare assistant",
        "Physiotherapist",
        "Consultant",
        "Pharmacist",
        "Occupational therapist",
        "Ward clerk",
        "Specialty doctor",
        "Senior staff nurse",
        "Support worker",
        "Dietitian",
        "Porter",
        "Radiographer",
        "Speech and language therapist",
        "Resident doctor",
        "Team leader",
        "Clinical psychologist",
        "Care coordinator",
        "Paramedic",
        "Midwife",
    ],
    "patient-partners": [
        "Patient partner",
        "Carer representative",
        "Patient partner, improvement faculty",
        "Expert by experience",
        "Governor and patient partner",
    ],
}

COMMENTS = {
    "low": {
        "leadership": "Improvement comes up when something has gone wrong, not as how we run things.",
        "governance": "Board papers are mostly assurance; trends with limits are rare.",
        "management-system": "Performance meetings are about the numbers this month, not about how to improve them.",
        "training-capability": "Training is there if you can get released from the rota, which is seldom.",
        "culture-engagement": "Staffing pressures mean time for improvement is the first thing to go.",
        "safety-learning": "After an incident people still worry about who will be blamed.",
        "patient-involvement": "Patients are asked for feedback, but rarely join the project team.",
        "method-measurement": "Each team uses its own way of doing projects, and data takes weeks to get.",
        "results-sustainability": "Changes slip back once the project lead moves on.",
    },
    "high": {
        "leadership": "Executives come to our huddles and ask what we are testing this week.",
        "governance": "Every board has an improvement item, with run charts rather than red-amber-green.",
        "management-system": "Our monthly review starts with what the team is improving.",
        "training-capability": "Most of the team has done the foundation course and we have a coach on call.",
        "culture-engagement": "Ideas from the team are tried within weeks, and people say so.",
        "safety-learning": "Families are part of our learning responses now.",
        "patient-involvement": "I have been a full member of two project teams this year.",
        "method-measurement": "We run small tests and track them on a shared dashboard.",
        "results-sustainability": "The falls work from two years ago is still holding.",
    },
}

EVIDENCE = {
    "lead-executive-lead": ("Executive portfolios and scheme of delegation", "Company secretary"),
    "lead-role-models": ("Board and executive service visit log", "Chief executive's office"),
    "gov-board-time": ("Board minutes and annual cycle of business", "Company secretary"),
    "gov-data-for-improvement": (
        "Integrated performance report with statistical process control charts",
        "Director of performance",
    ),
    "mgt-performance-reviews": ("Divisional performance review packs", "Chief operating officer"),
    "trn-tiered-offer": ("Improvement training dashboard", "Head of improvement"),
    "cult-protected-time": ("Rostering policy: protected improvement time", "Director of people"),
    "cult-psychological-safety": ("Staff survey and Freedom to Speak Up report to board", "Director of people"),
    "saf-just-culture": ("Just culture guide and case review log", "Medical director"),
    "pat-improvement-teams": ("Patient partner register and project list", "Head of patient experience"),
    "met-agreed-approach": ("Board paper: the trust's improvement approach", "Head of improvement"),
    "res-sustained": ("Project sustainability reviews", "Head of improvement"),
}

ORGANISATIONS = [
    {
        "file": "northgate-acute",
        "seed": 11,
        "story": "A large acute trust in financial recovery and under regulatory undertakings, where improvement "
        "rests on a few enthusiasts and a newly named executive sponsor.",
        "organisation": {
            "id": "northgate",
            "name": "Northgate Hospitals NHS Foundation Trust",
            "type": "acute",
            "region": "north-east",
            "metadata": {"beds": 1140, "staff": 9600, "sites": 3},
        },
        "date": datetime.date(2026, 3, 18),
        "assessor": "Northgate improvement and organisational development team",
        "sizes": {"board": 11, "managers": 6, "frontline": 17, "patient-partners": 3},
        "maturity": dict.fromkeys(DOMAINS, 2.3) | {"leadership": 2.6, "patient-involvement": 1.8},
        "offsets": {"board": 0.4, "managers": 0.1, "frontline": -0.3, "patient-partners": -0.2},
        "gaps": {},
        "evidence_rate": 0.5,
        "na": {},
    },
    {
        "file": "riverside-community",
        "seed": 22,
        "story": "A community trust three years into a QSIR-based improvement programme, where the board sees "
        "improvement as embedded but district nursing and therapy teams describe it as patchy and squeezed by "
        "caseloads.",
        "organisation": {
            "id": "riverside",
            "name": "Riverside Community Health NHS Trust",
            "type": "community",
            "region": "north-west",
            "metadata": {"beds": 96, "staff": 4300, "sites": 38},
        },
        "date": datetime.date(2026, 9, 30),
        "assessor": "Riverside quality improvement team",
        "sizes": {"board": 9, "managers": 7, "frontline": 15, "patient-partners": 4},
        "maturity": dict.fromkeys(DOMAINS, 3.4) | {"patient-involvement": 3.2, "results-sustainability": 3.2},
        "offsets": {"board": 0.4, "managers": 0.1, "frontline": -0.3, "patient-partners": 0.0},
        # The board's view against the front line's in leadership and culture: a clear perception gap.
        "gaps": {
            "leadership": {"board": 0.9, "frontline": -0.8},
            "culture-engagement": {"board": 0.9, "frontline": -0.8},
        },
        "evidence_rate": 0.8,
        "na": {
            "trn-qi-team": "We have no improvement team of our own: support comes from the integrated care "
            "system's improvement hub under a shared-service agreement."
        },
    },
    {
        "file": "eastfield-mental-health",
        "seed": 33,
        "story": "A mental health and learning disability trust with a decade of improvement work, where service "
        "users co-lead projects and improvement is how services are managed.",
        "organisation": {
            "id": "eastfield",
            "name": "Eastfield Mental Health NHS Foundation Trust",
            "type": "mental-health",
            "region": "midlands",
            "metadata": {"beds": 410, "staff": 5200, "sites": 24},
        },
        "date": datetime.date(2026, 6, 12),
        "assessor": "Eastfield quality improvement faculty",
        "sizes": {"board": 10, "managers": 8, "frontline": 19, "patient-partners": 5},
        "maturity": dict.fromkeys(DOMAINS, 4.3) | {"results-sustainability": 4.1},
        "offsets": {"board": 0.2, "managers": 0.1, "frontline": -0.2, "patient-partners": 0.0},
        "gaps": {},
        "evidence_rate": 0.95,
        "na": {
            "gov-regulator-compact": "Our only external improvement requirement this year was closed before the "
            "assessment period, so there is no plan to judge."
        },
    },
]


def _register(profile: dict, rng: random.Random, max_age_days: int) -> tuple[list[dict], dict[str, str]]:
    """The organisation's evidence register, one document per question that asks for evidence, dated within
    max_age_days before the assessment."""
    register, ids = [], {}
    for number, (question, (title, owner)) in enumerate(EVIDENCE.items(), start=1):
        age = rng.randint(20, max_age_days - 60)
        date = profile["date"] - datetime.timedelta(days=age)
        ident = f"{profile['organisation']['id'][:2]}-{number:02d}"
        register.append({"id": ident, "title": f"{title}, {date.year}", "date": date.isoformat(), "owner": owner})
        ids[question] = ident
    return register, ids


def organisation(profile: dict) -> tuple[str, list[dict]]:
    rubric = load_rubric("qi-readiness")
    rng = random.Random(profile["seed"])
    register, cites = _register(profile, rng, rubric.scoring.evidence.max_age_days)
    respondents = []
    for group, size in profile["sizes"].items():
        roles = rng.sample(ROLES[group], k=min(size, len(ROLES[group])))
        for number in range(1, size + 1):
            role = roles[number - 1] if number <= len(roles) else rng.choice(ROLES[group])
            answers: dict = {}
            for question in rubric.questions():
                if group not in question.respondents:
                    continue
                domain = question.domain_id
                centre = profile["maturity"][domain] + profile["offsets"][group]
                centre += profile["gaps"].get(domain, {}).get(group, 0.0)
                level = min(5, max(1, round(centre + rng.gauss(0, 0.55))))
                if question.id in profile["na"] and question.na_allowed:
                    answers[question.id] = {"na": True, "justification": profile["na"][question.id]}
                    continue
                answer: dict = {"level": level}
                if (
                    question.evidence_from is not None
                    and level >= question.evidence_from
                    and group in question.evidence_groups
                    and question.id in cites
                    and rng.random() < profile["evidence_rate"]
                ):
                    answer["evidence"] = [cites[question.id]]
                if rng.random() < 0.04:
                    answer["comment"] = COMMENTS["high" if level >= 4 else "low"][domain]
                answers[question.id] = answer if len(answer) > 1 else level
            respondents.append({"id": f"{group}-{number}", "group": group, "role": role, "answers": answers})
    return _document(profile, rubric.version, register, respondents), respondents


def _flow(value: object) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000, sort_keys=False).strip()
    return text.removesuffix("...").strip()


def _document(profile: dict, version: str, register: list[dict], respondents: list[dict]) -> str:
    lines = [
        "# yaml-language-server: $schema=../../schemas/answers.schema.json",
        "# Illustrative: an invented organisation, written by scripts/make_examples.py (seeded; run it again to",
        "# get the same file).",
        *(f"# {line}" for line in textwrap.wrap(profile["story"], 115)),
        f'rubric: {{id: qi-readiness, version: "{version}"}}',
        "organisation:",
    ]
    for key, value in profile["organisation"].items():
        lines.append(f"  {key}: {_flow(value)}")
    lines += [f'date: "{profile["date"].isoformat()}"', f"assessor: {profile['assessor']}", "evidence:"]
    for item in register:
        lines.append(f"  - {_flow(item)}")
    lines.append("respondents:")
    for respondent in respondents:
        lines += [f"  - id: {respondent['id']}", f"    group: {respondent['group']}", f"    # {respondent['role']}"]
        lines.append("    answers:")
        for question, answer in respondent["answers"].items():
            lines.append(f"      {question}: {_flow(answer)}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    folder = parser.parse_args().folder
    folder.mkdir(parents=True, exist_ok=True)
    for profile in ORGANISATIONS:
        text, _ = organisation(profile)
        (folder / f"{profile['file']}.yaml").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
