"""The improvement plan: plan-do-study-act cycles drawn from a result's priorities, and the action log that tracks
them. One source for both: the gap report's plan and the CSV/XLSX action log are the same :class:`Cycle` values.

Each cycle is one priority (a question below its target). What it asks is the rubric's, step by step:

- **do**: the next step from the question's current level (the rubric's ``next_step``), tested on a small scale;
- **owner**: the role the rubric names for that step (``owner``), else "Owner to agree";
- **measure**: the step's process measure (``measure``, checkable 30 days after the start), else the question's,
  else a placeholder marked "To fill in";
- **baseline**: the same measure over the 30 days before the cycle starts, recorded before it starts;
- **prediction**: a sentence derived from the measure, with a blank the owner fills in before the start;
- **dates**: cycles start one at a time, :data:`STAGGER_DAYS` apart from the plan's start (by default the
  assessment's date), each reviewed 30, 60 and 90 days after its own start;
- **path**: when the target is more than one level up, the steps after this one, each from the rubric's next step
  at the level it starts from, so that "act" names what comes next rather than "aim at the next level".
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from qimaturity._core.dates import day_in_words
from qimaturity._core.formulas import append_row, csv_row
from qimaturity._core.problems import OptionError
from qimaturity.answers.model import Assessment
from qimaturity.rubric.model import Rubric
from qimaturity.scoring.result import Priority, Result

REVIEW_DAYS = (30, 60, 90)
"""Days after a cycle's own start at which it is reviewed."""
STAGGER_DAYS = 14
"""Days between the starts of two cycles: one new cycle a fortnight, not every cycle at once."""
PLAN_SIZE = 5
"""Priorities that become cycles, by default."""
OWNER_TO_AGREE = "Owner to agree"
MEASURE_TO_FILL = "To fill in: a process measure of this step that can be checked 30 days after it starts"
NOT_STARTED = "not started"
ACTION_LOG_FORMATS = ("csv", "xlsx")
ACTION_LOG_COLUMNS = (
    "cycle",
    "domain",
    "question_id",
    "question",
    "owner",
    "step",
    "measure",
    "baseline",
    "prediction",
    "start",
    "review_30",
    "review_60",
    "review_90",
    "current_level",
    "target_level",
    "next_steps",
    "status",
)
"""The action log's columns, in order. ``next_steps`` are the steps after this one on the way to the target."""


def nhs_date(day: date) -> str:
    """A date as the NHS writes it: ``30 September 2026`` (see :func:`qimaturity._core.dates.day_in_words`)."""
    return day_in_words(day)


@dataclass(frozen=True)
class PathStep:
    """One step on the way from a question's level to its target: the rubric's next step at ``level``."""

    level: int
    next_level: int
    next_level_name: str
    step: str
    measure: str | None
    owner: str | None


@dataclass(frozen=True)
class Cycle:
    """One plan-do-study-act cycle of the improvement plan, drawn from a priority.

    ``plan``, ``do``, ``study`` and ``act`` are the cycle in four sentences; the fields after them are its parts by
    name (owner, baseline, prediction, measure, dates, path), which the bundled template and the action log use."""

    rank: int
    question_id: str
    question: str
    domain: str
    critical: bool
    level: int
    target: int
    next_level: int | None
    plan: str
    do: str
    study: str
    act: str
    measure: str
    reviews: tuple[str, ...]
    """Each review in words: ``17 April 2026 (day 30)``, or ``Day 30`` when the plan has no start date."""
    owner: str | None = None
    """The role the rubric suggests to own the next step, ``None`` when it names none (see :attr:`owner_text`)."""
    measure_given: bool = True
    """False when the rubric gives no measure: :attr:`measure` is then :data:`MEASURE_TO_FILL`."""
    baseline: str = ""
    prediction: str = ""
    start: date | None = None
    """The day the cycle starts, ``None`` when the plan has no start date."""
    start_day: int = 0
    """Days from the plan's start to this cycle's start."""
    start_text: str = ""
    """The start in words: ``1 April 2026``, or ``2 weeks after the plan starts``."""
    review_dates: tuple[date | None, ...] = ()
    path: tuple[PathStep, ...] = ()
    """The steps from the current level to the target, this cycle's first."""
    target_name: str = ""

    @property
    def owner_text(self) -> str:
        return self.owner or OWNER_TO_AGREE

    @property
    def then(self) -> tuple[PathStep, ...]:
        """The steps after this cycle's, on the way to the target (empty when this step reaches it)."""
        return self.path[1:]


def plan_start_date(value: date | str | None, result: Result) -> date | None:
    """The plan's start: ``value`` (a date or ``YYYY-MM-DD``), else the assessment's date, else none. Raises
    :class:`OptionError` for text that is not a date."""
    if isinstance(value, date):
        return value
    if value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise OptionError(f"'{value}' is not a date (YYYY-MM-DD)", "--plan-start") from None
    return date.fromisoformat(result.date) if result.date else None


def _lower_first(text: str) -> str:
    """``Share of ...`` -> ``share of ...``; an acronym (``QI leads ...``) keeps its capitals."""
    return text[0].lower() + text[1:] if len(text) > 1 and text[1].islower() else text


_TRAILING_NOTE = re.compile(r"\s*\((?:checked|yes or no)[^)]*\)\s*$")
_WITHIN_30 = re.compile(r",?\s+(?:in|within|at|over) (?:the )?30 days\b")


def _kind(measure: str) -> str:
    """``share``, ``number``, ``whether`` or ``other``: the form of a measure, which words its prediction."""
    plain = _TRAILING_NOTE.sub("", measure)
    if ", and " in plain:
        return "other"  # two measures in one: no single figure to predict
    first = plain.split(" ", 1)[0].lower()
    return {
        "share": "share",
        "proportion": "share",
        "percentage": "share",
        "number": "number",
        "whether": "whether",
    }.get(first, "other")


def _baseline(measure: str | None, start: str) -> str:
    """What to record before the cycle starts: the measure over the 30 days before it (for a yes-or-no measure,
    whether it is done already)."""
    if measure is None:
        return f"To fill in with the measure: its value over the 30 days before {start}."
    if _kind(measure) == "whether":
        return f"Whether it is done already, before {start} (if not, the baseline is no)."
    if "30 days before" in measure:
        return f"The 30 days before {start}, as the measure says."
    noted = _TRAILING_NOTE.sub("", measure)  # "(checked at 30 days)" says when, not what
    plain = _WITHIN_30.sub("", noted, count=1).rstrip(". ")
    if re.search(r"\bat 30 days\b", noted):
        return f"{plain}, as it stands on {start}."  # a state at day 30: its baseline is the state at the start
    return f"{plain}, over the 30 days before {start}."


def _prediction(measure: str | None, when: str) -> str:
    """A prediction the owner completes before the start, worded from the measure's form; generic where the measure
    is of no form it knows (or two measures in one)."""
    if measure is None:
        return "To fill in once the measure is agreed: what the owner expects it to show by day 30."
    blank = "the owner fills in the figure before the start"
    kind = _kind(measure)
    if kind == "share":
        return f"We predict at least ___ % by day 30 ({when}); {blank}."
    if kind == "number":
        return f"We predict at least ___ by day 30 ({when}); {blank}."
    if kind == "whether":
        return f"We predict yes by day 30 ({when})."
    return f"We predict better than the baseline by day 30 ({when}); the owner fills in by how much before the start."


class _PlanBuilder:
    def __init__(self, result: Result, rubric: Rubric, start: date | None) -> None:
        self.result, self.rubric, self.start = result, rubric, start
        self.level_names = {lv.value: lv.name for lv in rubric.levels}
        self.scale = [lv.value for lv in rubric.levels]

    def path(self, p: Priority) -> tuple[PathStep, ...]:
        question = self.rubric.question(p.question_id)
        steps = []
        values = [v for v in self.scale if p.level <= v < p.target]
        for here in values:
            entry = question.descriptor(here)
            above = next((v for v in self.scale if v > here), None)
            if entry is None or entry.next_step is None or above is None:
                break
            steps.append(
                PathStep(
                    here,
                    above,
                    self.level_names.get(above, ""),
                    entry.next_step,
                    question.step_measure(here),
                    entry.owner,
                )
            )
        return tuple(steps)

    def cycle(self, p: Priority, index: int) -> Cycle:
        domain = self.rubric.domain(p.domain_id).title
        offset = index * STAGGER_DAYS
        begins = self.start + timedelta(days=offset) if self.start else None
        if begins is not None:
            start_text = nhs_date(begins)
            dated = [begins + timedelta(days=days) for days in REVIEW_DAYS]
            review_dates: tuple[date | None, ...] = tuple(dated)
            reviews = tuple(f"{nhs_date(d)} (day {days})" for d, days in zip(dated, REVIEW_DAYS, strict=True))
            day30 = nhs_date(begins + timedelta(days=REVIEW_DAYS[0]))
        else:
            start_text = "when the plan starts" if offset == 0 else f"{offset // 7} weeks after the plan starts"
            review_dates = (None,) * len(REVIEW_DAYS)
            reviews = tuple(f"Day {days}" for days in REVIEW_DAYS)
            day30 = f"day {REVIEW_DAYS[0]} of the cycle"
        path = self.path(p)
        step = p.next_step or "Agree with the people closest to the work what a first small change would be."
        measure = p.measure or MEASURE_TO_FILL
        baseline = _baseline(p.measure, start_text)
        prediction = _prediction(p.measure, day30)
        target_name = self.level_names.get(p.target, "")
        nxt = p.next_level if p.next_level is not None else p.target
        if len(path) > 1:
            later = " Then: ".join(f"level {s.level} to {s.next_level}: {s.step}" for s in path[1:])
            act = (
                f"At day 90, adopt, adapt or abandon the change. Once level {nxt} ({self.level_names.get(nxt, '')}) "
                f"holds, take the next step towards the target, level {p.target} ({target_name}), {later}"
            )
        else:
            act = (
                f"At day 90, adopt, adapt or abandon the change; once it holds, spread it and reassess: this step "
                f"leads to the target, level {p.target} ({target_name})."
            )
        return Cycle(
            rank=p.rank,
            question_id=p.question_id,
            question=p.text,
            domain=domain,
            critical=p.critical,
            level=p.level,
            target=p.target,
            next_level=p.next_level,
            plan=f"Owner: {p.owner or 'to agree'}. Baseline: {baseline} Prediction: {prediction}",
            do=f"From {start_text}, on a small scale: {step}",
            study=f"Compare the measure with the baseline and the prediction at each review: {', '.join(reviews)}.",
            act=act,
            measure=measure,
            reviews=reviews,
            owner=p.owner,
            measure_given=p.measure is not None,
            baseline=baseline,
            prediction=prediction,
            start=begins,
            start_day=offset,
            start_text=start_text,
            review_dates=review_dates,
            path=path,
            target_name=target_name,
        )


def plan_cycles(
    result: Result, rubric: Rubric, *, plan_size: int = PLAN_SIZE, plan_start: date | str | None = None
) -> tuple[Cycle, ...]:
    """The improvement plan: the first ``plan_size`` priorities of ``result`` as cycles, the first starting on
    ``plan_start`` (default: the assessment's date) and each next one :data:`STAGGER_DAYS` later."""
    builder = _PlanBuilder(result, rubric, plan_start_date(plan_start, result))
    return tuple(builder.cycle(p, i) for i, p in enumerate(result.priorities[:plan_size]))


def action_rows(cycles: Iterable[Cycle]) -> list[dict[str, Any]]:
    """One row per cycle, keyed by :data:`ACTION_LOG_COLUMNS`: dates as :class:`datetime.date` (text such as
    ``2 weeks after the plan starts`` or ``Day 30`` when the plan has no start date), levels as numbers, and
    ``status`` "not started"."""
    rows = []
    for number, c in enumerate(cycles, start=1):
        reviews: list[Any] = [d if d is not None else text for d, text in zip(c.review_dates, c.reviews, strict=True)]
        rows.append(
            dict(
                zip(
                    ACTION_LOG_COLUMNS,
                    [
                        number,
                        c.domain,
                        c.question_id,
                        c.question,
                        c.owner_text,
                        c.path[0].step if c.path else c.do,
                        c.measure,
                        c.baseline,
                        c.prediction,
                        c.start if c.start is not None else c.start_text,
                        *reviews,
                        c.level,
                        c.target,
                        " Then: ".join(f"level {s.level} to {s.next_level}: {s.step}" for s in c.then),
                        NOT_STARTED,
                    ],
                    strict=True,
                )
            )
        )
    return rows


def _text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def action_log_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    """The action log as CSV text: a header of :data:`ACTION_LOG_COLUMNS`, dates as ``YYYY-MM-DD``, and text that a
    spreadsheet would run as a formula made inert (a leading single quote), as every CSV qimaturity writes."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ACTION_LOG_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv_row({key: _text(row[key]) for key in ACTION_LOG_COLUMNS}) for row in rows)
    return buffer.getvalue()


def action_log_xlsx(rows: Sequence[Mapping[str, Any]]) -> bytes:
    """The action log as a workbook: one sheet, "Actions", a bold frozen header, dates as date cells shown
    ``30 September 2026``, and text never a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Actions"
    append_row(sheet, ACTION_LOG_COLUMNS)
    for row in rows:
        append_row(sheet, [row[key] for key in ACTION_LOG_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = {"question": 40, "step": 50, "measure": 40, "baseline": 40, "prediction": 40, "next_steps": 50}
    for column, key in enumerate(ACTION_LOG_COLUMNS, start=1):
        letter = sheet.cell(1, column).column_letter
        sheet.column_dimensions[letter].width = widths.get(key, 16)
        for cell in sheet[letter][1:]:
            if isinstance(cell.value, date):
                cell.number_format = "d mmmm yyyy"
            if key in widths:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def action_log_format(output: Path) -> str:
    """``csv`` or ``xlsx`` from the output's suffix; :class:`OptionError` for any other."""
    suffix = output.suffix.lower().lstrip(".")
    if suffix not in ACTION_LOG_FORMATS:
        raise OptionError("the action log must end in .csv or .xlsx", "-o/--output")
    return suffix


def action_log_document(rows: Sequence[Mapping[str, Any]], fmt: str) -> str | bytes:
    """The action log as ``csv`` (text) or ``xlsx`` (bytes)."""
    if fmt == "xlsx":
        return action_log_xlsx(rows)
    if fmt == "csv":
        return action_log_csv(rows)
    raise OptionError(f"the action log is written as {' or '.join(ACTION_LOG_FORMATS)}, not {fmt}", "--format")


def action_log(
    rubric: Rubric | str | Path,
    answers: str | Path | Mapping[str, Any] | Assessment | Result,
    *,
    targets: Mapping[str, int] | None = None,
    default_target: int | None = None,
    mapping: Mapping[str, Any] | str | Path | None = None,
    plan_size: int = PLAN_SIZE,
    plan_start: date | str | None = None,
) -> list[dict[str, Any]]:
    """The improvement plan of one organisation's gap report as action-log rows (see :func:`action_rows`): the same
    cycles the report's plan shows, for a trust to track (owner, measure, dates, status).

    ``answers`` is anything :func:`qimaturity.report` takes for one organisation (an answers file, a document, an
    :class:`Assessment` or a :class:`Result`); ``targets``, ``default_target`` and ``mapping`` are as for
    :func:`qimaturity.score`. ``plan_start`` (a date or ``YYYY-MM-DD``) is the first cycle's start, by default the
    assessment's date. Raises :class:`InputError` for bad answers and :class:`OptionError` for a date that is not
    one."""
    from qimaturity.cohort.score import score_one
    from qimaturity.rubric.load import as_rubric

    main = as_rubric(rubric)
    result = score_one(main, answers, targets=targets, default_target=default_target, mapping=mapping)
    return action_rows(plan_cycles(result, main, plan_size=plan_size, plan_start=plan_start))


def write_action_log(rows: Sequence[Mapping[str, Any]], output: str | Path) -> Path:
    """Write action-log rows to ``output`` (atomically): CSV or XLSX by its suffix. Returns the path; raises
    :class:`OptionError` for another suffix and :class:`InputError` for a path that cannot be written."""
    from qimaturity._core.outputs import write_atomic

    path = Path(output)
    return write_atomic(path, action_log_document(rows, action_log_format(path)))
