"""Terminal views of a rubric, of results and of a batch's progress (rich). Rubric text is always shown as plain text,
never as markup."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from qimaturity._core.numbers import fixed, given_number, signed
from qimaturity.cli.terminal import terminal_text
from qimaturity.cohort.model import Cohort
from qimaturity.rubric.model import Question, Rubric
from qimaturity.rubric.wording import NA_POLICIES, rule_text, scoring_lines
from qimaturity.scoring.result import Result, held_words

if TYPE_CHECKING:
    from qimaturity.batch.run import FileRecord, ProgressCallback
    from qimaturity.report.cohort_view import CohortSummary


def _text(value: str = "", style: str = "") -> Text:
    """A table cell or tree label of user text, without control characters (see :mod:`.terminal`); line breaks
    are kept, as rich lays them out."""
    return Text(terminal_text(value, newlines=True), style=style)


def _line(label: str, value: str, style: str = "bold") -> Text:
    text = Text()
    text.append(terminal_text(label, newlines=True), style=style)
    text.append(terminal_text(value, newlines=True))
    return text


def _question_flags(question: Question) -> str:
    flags = [f"weight {given_number(question.weight)}"]
    if question.critical:
        flags.append("critical")
    if question.na_allowed:
        flags.append("N/A allowed" + (" with justification" if question.na_justification else ""))
        if question.na_counts_as is not None:  # its own policy; without one, the rubric's scoring.not_applicable
            flags.append(f"N/A {NA_POLICIES[question.na_counts_as]}")
    if question.evidence_from is not None:
        flags.append(
            f"evidence from level {question.evidence_from}"
            + (f" ({', '.join(question.evidence_groups)})" if question.evidence_groups else "")
        )
    if question.stage is not None:
        flags.append(f"stage {question.stage}")
    if question.target is not None:
        flags.append(f"target {question.target}")
    if question.respondents:
        flags.append("answered by " + ", ".join(question.respondents))
    return "; ".join(flags)


def rubric_tree(rubric: Rubric, *, domain_id: str | None = None, levels: bool = True) -> Tree:
    """A rich tree of the rubric, or of one domain of it."""
    root = Tree(_line(f"{rubric.title} ", f"({rubric.id} {rubric.version})"))
    if domain_id is None:
        if rubric.description:
            root.add(_text(rubric.description, style="italic"))
        scale = root.add(_text("Levels", style="bold"))
        for level in rubric.levels:
            scale.add(_line(f"{level.value} {level.name}: ", level.descriptor))
        if rubric.respondent_groups:
            groups = root.add(_text("Respondent groups", style="bold"))
            for group in rubric.respondent_groups:
                node = groups.add(_line(f"{group.id}: ", group.name))
                if rubric.scoring.pooling == "groups":
                    why = f": {group.weight_rationale}" if group.weight_rationale else ""
                    node.add(_text(f"weight {given_number(group.weight)}{why}", style="dim"))
        scoring = root.add(_text("Scoring", style="bold"))
        for line in scoring_lines(rubric):
            scoring.add(_text(line))
        if rubric.bands:
            bands = root.add(_text(f"Bands (on {rubric.bands.on})", style="bold"))
            for band in rubric.bands.items:
                bands.add(_line(f"{band.name}: ", f"{given_number(band.lower)} to {given_number(band.upper)}"))
        if rubric.rules:
            rules = root.add(_text("Rules", style="bold"))
            for rule in rubric.rules:
                rules.add(_line(f"{rule.id} ({rule.type}): ", rule_text(rule)))
    for domain in rubric.domains:
        if domain_id is not None and domain.id != domain_id:
            continue
        target = domain.target if domain.target is not None else rubric.default_target
        extra = f"weight {given_number(domain.weight)}" + (f", target {target}" if target is not None else "")
        branch = root.add(_line(f"{domain.title} ", f"[{domain.id}; {extra}]"))
        if domain.weight_rationale:
            branch.add(_line(f"why weight {given_number(domain.weight)}: ", domain.weight_rationale, style="dim"))
        for question in domain.questions:
            node = branch.add(_line(f"{question.id}: ", question.text))
            node.add(_text(_question_flags(question), style="dim"))
            for label, value in _question_notes(question):
                node.add(_line(label, value, style="dim"))
            if not levels:
                continue
            for entry in question.levels:
                item = node.add(_line(f"{entry.level}: ", entry.descriptor, style="cyan"))
                if entry.next_step:
                    step = item.add(_line("next step: ", entry.next_step, style="green"))
                    if entry.measure:
                        step.add(_line("measure: ", entry.measure, style="dim"))
                    if entry.owner:
                        step.add(_line("owner: ", entry.owner, style="dim"))
    return root


def _question_notes(question: Question) -> list[tuple[str, str]]:
    """What the rubric says about a question beside its text: the reasons for its weight and critical flag, its
    wording and help for each group, and the measure of any step without its own."""
    notes: list[tuple[str, str]] = []
    if question.weight_rationale:
        notes.append((f"why weight {given_number(question.weight)}: ", question.weight_rationale))
    if question.critical_rationale:
        notes.append(("why critical: ", question.critical_rationale))
    notes.extend((f"wording for {group}: ", text) for group, text in question.wording.items())
    notes.extend((f"help for {group}: ", text) for group, text in question.help_for.items())
    if question.measure:
        notes.append(("default measure: ", question.measure))
    return notes


def _num(value: float | None) -> str:
    return "-" if value is None else fixed(value)


def result_table(result: Result) -> Table:
    """Domains with value, where it likely lies, level, band, target and gap, then the overall row; flags in the
    last column."""
    title = f"{result.organisation.name} - {result.rubric.id} {result.rubric.version}"
    if result.date:
        title += f" - {result.date}"
    table = Table(title=_text(title), title_justify="left")
    for column in ("domain", "value", "likely range", "level", "band", "target", "gap", "notes"):
        table.add_column(column, justify="right" if column in ("value", "target", "gap") else "left")
    for domain in result.domains:
        notes = []
        if domain.held_level is not None:
            notes.append(held_words(domain.value, domain.held_level, domain.held_by))
        if domain.not_applicable:
            notes.append(f"{domain.not_applicable} N/A")
        lacking = sum(1 for q in domain.questions for a in q.answers if a.evidence_flag)
        if lacking:
            notes.append(f"{lacking} answer(s) lacking evidence")
        disagreements = sum(1 for q in domain.questions if q.disagreement)
        if disagreements:
            notes.append(f"{disagreements} disagreement(s)")
        notes.extend(f"gap {g.group_a}/{g.group_b} {signed(g.gap, 1)}" for g in domain.perception_gaps if g.flagged)
        table.add_row(
            *_row(_text(domain.title), domain.value, domain.level, domain.level_name, domain), _text("; ".join(notes))
        )
    overall = result.overall
    table.add_section()
    table.add_row(
        *_row(_text("Overall", style="bold"), overall.value, overall.level, overall.level_name, overall),
        _text(held_words(overall.value, overall.held_level, overall.held_by)) if overall.held_level is not None else "",
    )
    return table


def _row(label: Text, value: float | None, level: int | None, name: str | None, node: Any) -> list[Any]:
    interval = node.interval
    return [
        label,
        _num(value),
        "-" if interval is None else f"{fixed(interval.low)}–{fixed(interval.high)}",
        _text(f"{level} {name}") if level is not None else _text("-"),
        _text(node.band.name) if node.band else _text("-"),
        "-" if node.target is None else str(node.target),
        "-" if node.gap is None else signed(node.gap, 0),
    ]


def priorities_table(result: Result, limit: int = 5) -> Table:
    """The first priorities with their next steps, and the owner each step's rubric suggests where it names one
    (the measures, longer, are in ``explain`` and the JSON)."""
    table = Table(title=_text("Improvement priorities"), title_justify="left")
    shown = result.priorities[:limit]
    owners = any(priority.owner for priority in shown)
    for column in ("#", "question", "level", "target", "next step", *(("owner",) if owners else ())):
        table.add_column(column)
    for priority in shown:
        question = _text(priority.question_id + (" (critical)" if priority.critical else ""))
        row: list[str | Text] = [str(priority.rank), question, str(priority.level), str(priority.target)]
        row.append(_text(priority.next_step or ""))
        if owners:
            row.append(_text(priority.owner or ""))
        table.add_row(*row)
    return table


def projection_table(result: Result) -> Table:
    assert result.projection is not None
    changes = ", ".join(f"{q}={lv}" for q, lv in result.projection.changes.items())
    table = Table(title=_text(f"What if {changes}"), title_justify="left")
    for column in ("", "now", "projected"):
        table.add_column(column)
    for now, then in zip(result.domains, result.projection.domains, strict=True):
        table.add_row(_text(now.title), f"{_num(now.value)} ({now.level})", f"{_num(then.value)} ({then.level})")
    table.add_section()
    o, p = result.overall, result.projection.overall
    table.add_row(_text("Overall", style="bold"), f"{_num(o.value)} ({o.level})", f"{_num(p.value)} ({p.level})")
    return table


def cohort_tables(cohort: Cohort) -> list[Table]:
    """The cohort on a terminal: statistics per domain for each group, then the ranking with outliers."""
    tables = []
    titles = dict(cohort.domains)
    for group in (cohort.everyone, *cohort.groups):
        table = Table(title=_text(f"{group.name} ({group.n} organisations)"), title_justify="left")
        for column in ("domain", "n", "min", "q1", "median", "q3", "max", "levels"):
            table.add_column(column, justify="left" if column in ("domain", "levels") else "right")
        if group.suppressed:
            table.add_row(_text(f"suppressed: fewer than {cohort.min_cohort} organisations"), *[""] * 7)
        rows = [(titles[d], s) for d, s in group.domains]
        if group.overall is not None:
            rows.append(("Overall", group.overall))
        for title, stats in rows if not group.suppressed else []:
            if stats is None:
                table.add_row(_text(title), "0", *["-"] * 6)
                continue
            levels = " ".join(f"{level}:{count}" for level, count in stats.levels)
            table.add_row(
                _text(title),
                str(stats.n),
                _num(stats.minimum),
                _num(stats.q1),
                _num(stats.median),
                _num(stats.q3),
                _num(stats.maximum),
                levels,
            )
        tables.append(table)
    ranking = Table(title=_text("Ranking"), title_justify="left")
    for column in ("#", "organisation", "score", "level", "outliers"):
        ranking.add_column(column, justify="right" if column in ("#", "score") else "left")
    for m in cohort.members:
        outliers = ", ".join(f"{titles[d]} {side}" for d, side in m.outliers)
        level = "-" if m.overall_level is None else str(m.overall_level)
        if m.overall_held is not None:
            level += " held"
        ranking.add_row(str(m.rank), _text(m.name), _num(m.score), level, _text(outliers))
    tables.append(ranking)
    if cohort.trends:
        trends = Table(title=_text("Since last time"), title_justify="left")
        ways = ("improved", "declined", "no clear change", "not comparable")
        for column in ("organisation", "dates", *ways):
            trends.add_column(column)
        for t in cohort.trends:
            named = {way: ", ".join(d.title for d in t.domains if d.direction == way) or "-" for way in ways}
            versioned = len(set(t.versions)) > 1
            dates = " -> ".join(
                f"{when} (version {version})" if versioned else when
                for when, version in zip(t.dates, t.versions, strict=True)
            )
            trends.add_row(_text(t.name), _text(dates), *(_text(words) for words in named.values()))
        tables.append(trends)
    tables.extend(year_tables(cohort))
    return tables


MOVERS_SHOWN = 5
"""How many of the largest clear rises, and of the largest clear falls, the terminal summary lists."""


def cohort_summary_tables(cohort: Cohort, summary: CohortSummary) -> list[Any]:
    """The cohort on a terminal, in brief (``compare`` without ``--all``): the headline findings of the cohort
    report's summary, the overall spread of each group, the outliers, and the largest clear rises and falls since
    last time; a last line says where the rest is."""
    from qimaturity.report.cohort_view import GroupLine

    titles = dict(cohort.domains)
    shown: list[Any] = []
    head = _counted(summary.organisations, "organisation") + ", " + _counted(summary.assessments, "assessment")
    if summary.period:
        head += f", latest dated {summary.period}"
    shown.append(_line("Cohort: ", head))
    flagged = [m for m in cohort.members if m.outliers]
    for finding in summary.findings:
        if finding.name != "Outliers" or not flagged:  # the outliers' table below says it, value by value
            shown.append(_line(f"{finding.name}: ", finding.text))
    groups = Table(title=_text("Overall value by group"), title_justify="left")
    for column in ("group", "n", "min", "q1", "median", "q3", "max"):
        groups.add_column(column, justify="left" if column == "group" else "right")
    everyone = cohort.everyone
    o = everyone.overall
    lines = [
        GroupLine(
            everyone.name,
            everyone.n,
            everyone.suppressed,
            *((o.minimum, o.q1, o.median, o.q3, o.maximum) if o and not everyone.suppressed else (None,) * 5),
        ),
        *summary.groups,
    ]
    for line in lines:
        if line.suppressed:
            groups.add_row(
                _text(line.name), str(line.n), _text(f"suppressed (fewer than {cohort.min_cohort})"), *[""] * 4
            )
        else:  # "-": overall values not compared (results of rubric versions without a map)
            figures = (line.minimum, line.q1, line.median, line.q3, line.maximum)
            groups.add_row(_text(line.name), str(line.n), *(_num(v) for v in figures))
    shown.append(groups)
    if flagged:
        outliers = Table(title=_text("Outliers (beyond 1.5 interquartile ranges)"), title_justify="left")
        for column in ("organisation", "domain", "side", "value"):
            outliers.add_column(column, justify="right" if column == "value" else "left")
        for m in flagged:
            values = {d: v for d, v, _ in m.values}
            for domain_id, side in m.outliers:
                outliers.add_row(_text(m.name), _text(titles[domain_id]), side, _num(values.get(domain_id)))
        shown.append(outliers)
    rises = [m for m in summary.movers if m.direction == "improved"][:MOVERS_SHOWN]
    falls = [m for m in summary.movers if m.direction == "declined"][::-1][:MOVERS_SHOWN]
    if rises or falls:
        movers = Table(title=_text("Largest clear changes of overall value since last time"), title_justify="left")
        for column in ("organisation", "first", "latest", "change", "direction"):
            movers.add_column(column, justify="left" if column in ("organisation", "direction") else "right")
        for mover in (*rises, *falls):
            movers.add_row(
                _text(mover.name), _num(mover.first), _num(mover.last), signed(mover.change), mover.direction
            )
        shown.append(movers)
    shown.append(
        _line(
            "More: ",
            "--all prints every table (statistics per domain and group, the ranking of every organisation, trends, "
            "years); -o OUT.xlsx, OUT.csv or OUT.json writes them for analysis.",
            style="dim",
        )
    )
    return shown


def year_tables(cohort: Cohort) -> list[Table]:
    """The national trend on a terminal: each year's organisations, median, quartiles and levels per domain and
    overall, then the movement between overall levels from year to year."""
    if not cohort.years:
        return []
    titles = dict(cohort.domains)
    table = Table(title=_text("By year (each organisation by its latest assessment of the year)"), title_justify="left")
    for column in ("year", "domain", "n", "q1", "median", "q3", "levels"):
        table.add_column(column, justify="right" if column in ("n", "q1", "median", "q3") else "left")
    for index, year in enumerate(cohort.years):
        if index:
            table.add_section()
        group = year.stats
        if group.suppressed:
            table.add_row(year.year, _text(f"suppressed: fewer than {cohort.min_cohort} organisations"), str(group.n))
            continue
        rows = [(titles[d], s) for d, s in group.domains]
        if group.overall is not None:
            rows.append(("Overall", group.overall))
        for title, stats in rows:
            if stats is None:
                table.add_row(year.year, _text(title), "0", "-", "-", "-", "")
                continue
            levels = " ".join(f"{level}:{count}" for level, count in stats.levels)
            table.add_row(
                year.year, _text(title), str(stats.n), _num(stats.q1), _num(stats.median), _num(stats.q3), levels
            )
    moves = Table(
        title=_text("Movement between overall levels, year on year"),
        title_justify="left",
        caption=_text(f"- : suppressed, fewer than {cohort.min_cohort} organisations in both years")
        if any(m.suppressed for m in cohort.movements)
        else None,
        caption_justify="left",
    )
    for column in ("years", "in both", "up", "stayed", "down", "no clear change", "not comparable"):
        moves.add_column(column, justify="left" if column == "years" else "right", no_wrap=column == "years")
    for m in cohort.movements:
        counts = (m.moved_up, m.stayed, m.moved_down, m.no_clear_change, m.not_comparable)
        moves.add_row(
            f"{m.earlier} -> {m.later}", str(m.organisations), *("-" if c is None else str(c) for c in counts)
        )
    return [table, moves]


@contextmanager
def progress_bar(label: str = "batch") -> Iterator[ProgressCallback | None]:
    """A rich progress bar on stderr (``label``, files done of all, rate, time left) as a
    :data:`ProgressCallback`; None when stderr is not a terminal, so that logs and pipes get only the summary."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        Task,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    console = Console(stderr=True)
    if not console.is_terminal:
        yield None
        return

    class RateColumn(ProgressColumn):
        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{fixed(speed)} files/s" if speed else "- files/s", style="progress.data.speed")

    columns = (
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    # No auto-refresh thread: the bar is redrawn as each file finishes, and worker processes are never forked
    # while another thread of ours holds a lock.
    with Progress(*columns, console=console, transient=True, auto_refresh=False) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int, record: FileRecord | None) -> None:
            bar.update(task, completed=done, total=total)
            bar.refresh()

        yield update


def _counted(count: int, noun: str) -> str:
    """``1 organisation``, ``2 organisations``."""
    return f"{count} {noun}" + ("" if count == 1 else "s")
