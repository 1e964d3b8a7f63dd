"""The ``qimaturity`` command: a thin shell over the public API.

Exit codes: 0 success; 1 the run worked but a requested threshold failed; 2 bad input or usage.
Machine-readable output (``--format json``) goes to stdout; messages go to stderr.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import click

from qimaturity._core.documents import text_problem
from qimaturity._core.extras import ExtraMissing, extra_imports, require_extras
from qimaturity._core.problems import InputError, OptionError, Problem, problem_lines
from qimaturity.cli.params import (
    DATE,
    DOMAIN,
    FORMATS,
    GROUP,
    LEVEL,
    QUESTION,
    RUBRIC,
    RUBRIC_NAME,
    RUBRIC_REF,
    TARGET,
    WHAT_IF,
    OneLineError,
    complete_domain,
    complete_group,
    complete_path,
    complete_question,
    complete_rubric,
    load_rubric_argument,
    rubric_path_option,
    search_path_of,
    targets_of,
)
from qimaturity.cli.terminal import stdout_console, terminal_text
from qimaturity.cohort.score import iter_csv, iter_rendered, iter_scores, score_files, score_one
from qimaturity.rubric.checks import did_you_mean
from qimaturity.rubric.load import find_rubrics, inspect_rubric
from qimaturity.rubric.model import Rubric
from qimaturity.scoring.result import Result
from qimaturity.scoring.tables import (
    result_json,
    write_csv_texts,
    write_json,
    write_json_texts,
)
from qimaturity.version import __version__


def _say(message: str) -> None:
    """A message on stderr; user text in it (names, cell values, file names) cannot drive the terminal."""
    click.echo(terminal_text(message, newlines=True), err=True)


def _emit_problems(problems: Sequence[Problem]) -> None:
    """Every command's problems on stderr: the same problem in many cells or lines is shown a few times, then
    summed up in one line (see :func:`qimaturity._core.problems.problem_lines`)."""
    for line in problem_lines(problems):
        _say(line)


def _plain_text(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse an option value that would carry a control character or a lone surrogate (bytes that are not
    UTF-8 arrive as one) into an output."""
    found = None if value is None else text_problem(value)
    if found is not None:
        raise OneLineError(f"the value {found[0]}", param=param)
    return value


def _json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))


class _Command(click.Command):
    """A command whose API call may raise :class:`OptionError`: it is reported as click reports a bad option value
    ("Invalid value for --templates: ..."), or, for no option in particular, as "Error: ...", with exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        load_rubric_argument(ctx)
        try:
            return super().invoke(ctx)
        except OptionError as error:
            if error.option is None:
                _say(f"Error: {error}")
                sys.exit(2)
            raise OneLineError(str(error), ctx=ctx, param_hint=error.option) from None

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if ctx.resilient_parsing and args and self._awaits_value(ctx, args[-1]):
            # Shell completion of the last option's value: click's parser stops at an option without its value,
            # leaving RUBRIC unread, which the value's completion (question ids...) needs. Read what comes before.
            return super().parse_args(ctx, args[:-1])
        return super().parse_args(ctx, args)

    def _awaits_value(self, ctx: click.Context, word: str) -> bool:
        """Whether ``word`` is the name of an option of this command that takes a value."""
        return any(
            isinstance(param, click.Option) and word in param.opts and not param.is_flag and not param.count
            for param in self.get_params(ctx)
        )


class _Group(click.Group):
    command_class = _Command


plan_start_option = click.option(
    "--plan-start",
    type=DATE,
    metavar="YYYY-MM-DD",
    help="The day the improvement plan's first cycle starts (default: the assessment's date); one more each fortnight.",
)
"""``report``'s, ``plan``'s and ``batch``'s ``--plan-start``: one option, so their plans start alike."""


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qimaturity")
def cli() -> None:
    """Assess how ready a healthcare organisation is for quality improvement."""


@cli.command()
@click.argument("rubrics", nargs=-1, required=True, metavar="RUBRIC...", shell_complete=complete_rubric)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@rubric_path_option
def validate(rubrics: tuple[str, ...], fmt: str) -> None:
    """Check rubrics (ids such as qi-readiness, or paths) against the schema and meaning rules.

    Every problem is reported as FILE:LINE:COLUMN: PATH: MESSAGE (HINT). Exit code 2 when any is found.

    Example: qimaturity validate qi-readiness my-rubric.yaml
    """
    search_path = search_path_of(click.get_current_context())
    checks = []
    for ref in rubrics:
        check = inspect_rubric(ref, search_path=search_path)
        checks.append(check)
        if fmt != "text":
            continue
        if check.rubric is not None and check.valid:
            rubric = check.rubric
            _say(
                f"{check.file}: valid ({rubric.id} {rubric.version}: {len(rubric.domains)} domains, "
                f"{rubric.question_count} questions)"
            )
        else:
            _emit_problems(check.problems)
            _say(f"{check.problems[0].file}: {len(check.problems)} problem(s)")
    failed = not all(check.valid for check in checks)
    if fmt == "json":
        _json({"valid": not failed, "rubrics": [check.to_dict() for check in checks]})
    if failed:
        sys.exit(2)


@cli.command(name="rubrics")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@rubric_path_option
def list_rubrics(fmt: str) -> None:
    """List every rubric an id can name: those in the --rubric-path folders, in the folders of
    QIMATURITY_RUBRIC_PATH and the bundled ones, with their source, id, version, title and counts.

    A file that is not a valid rubric, or whose id another file also has, is listed with its problems (on stderr),
    as is a folder that cannot be read; then the exit code is 2.

    Example: qimaturity rubrics --rubric-path ~/rubrics
    """
    catalogue = find_rubrics(search_path_of(click.get_current_context()))
    if fmt == "json":
        _json([found.to_dict() for found in catalogue.rubrics])
    else:
        from rich.table import Table

        table = Table(title="Rubrics")
        for column in ("id", "version", "title", "domains", "questions", "levels", "source"):
            numeric = column in ("domains", "questions", "levels")
            table.add_column(column, justify="right" if numeric else "left", no_wrap=column in ("id", "version"))
        for found in catalogue.rubrics:
            s = found.summary
            if s is not None and found.valid:
                counts = (str(s.domains), str(s.questions), str(s.levels))
                table.add_row(found.id, s.version, s.title, *counts, found.source)
            else:
                table.add_row(found.id, "", f"not usable: {len(found.problems)} problem(s)", "", "", "", found.source)
        stdout_console().print(table)
    _emit_problems([*catalogue.problems, *(p for found in catalogue.rubrics for p in found.problems)])
    if not catalogue.valid:
        sys.exit(2)


@cli.command()
@click.argument("rubric", metavar="RUBRIC", type=RUBRIC_REF, is_eager=True)
@click.option("--domain", "domain_id", type=DOMAIN, help="Show only this domain.", shell_complete=complete_domain)
@click.option("--levels/--no-levels", default=True, show_default=True, help="Show each question's level descriptors.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A tree on the terminal, or JSON (schemas/show.schema.json) on stdout.",
)
@rubric_path_option
def show(rubric: Rubric, domain_id: str | None, levels: bool, fmt: str = "text") -> None:
    """Print a rubric as a readable tree: levels, groups, domains, questions, scoring and rules.

    Example: qimaturity show qi-readiness --domain leadership
    """
    from qimaturity.cli.display import rubric_tree

    if fmt == "json":
        from qimaturity.rubric.outline import rubric_outline

        _json(rubric_outline(rubric, domain_id=domain_id, levels=levels))
        return
    stdout_console().print(rubric_tree(rubric, domain_id=domain_id, levels=levels))


@cli.group(name="rubric", cls=_Group)
def rubric_group() -> None:
    """Author rubrics: start one, edit one in a spreadsheet and read it back, or compare two versions of one.

    Example: qimaturity rubric to-xlsx qi-readiness -o our-rubric.xlsx
    """


@rubric_group.command(name="to-xlsx")
@click.argument("rubric", metavar="RUBRIC", shell_complete=complete_rubric)
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The workbook, OUT.xlsx."
)
@rubric_path_option
def rubric_to_xlsx_command(rubric: str, output: Path) -> None:
    """Write a rubric (an id or a path) as a workbook to edit in Excel or LibreOffice: its header, levels and
    settings; a row per domain, question and level with descriptors and next steps; its rules and bands.

    Example: qimaturity rubric to-xlsx qi-readiness -o our-rubric.xlsx
    """
    from qimaturity.rubric.workbook import rubric_to_xlsx

    if output.suffix.lower() != ".xlsx":
        raise OneLineError("the output must end in .xlsx", param_hint="-o/--output")
    rubric_to_xlsx(rubric, output, search_path=search_path_of(click.get_current_context()))
    click.echo(str(output))


@rubric_group.command(name="from-xlsx")
@click.argument("workbook", metavar="WORKBOOK", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The rubric, OUT.yaml (without it, the YAML goes to stdout).",
)
def rubric_from_xlsx_command(workbook: Path, output: Path | None) -> None:
    """Read a rubric workbook (as to-xlsx writes it, edited) back into a rubric file, checked as validate checks
    one. Every problem names its cell (Questions!C14); when there is one, nothing is written (exit code 2).

    Example: qimaturity rubric from-xlsx our-rubric.xlsx -o our-rubric.yaml
    """
    from qimaturity.rubric.workbook import rubric_from_xlsx
    from qimaturity.rubric.writing import rubric_yaml

    if output is not None and output.suffix.lower() not in (".yaml", ".yml"):
        raise OneLineError("the output must end in .yaml or .yml", param_hint="-o/--output")
    document = rubric_from_xlsx(workbook)
    text = rubric_yaml(document, comment=f"Read from {workbook.name} by qimaturity rubric from-xlsx.")
    if output is None:
        click.echo(text, nl=False)
        return
    from qimaturity._core.outputs import write_atomic

    write_atomic(output, text)
    questions = sum(len(domain["questions"]) for domain in document["domains"])
    _say(
        f"{output}: valid ({document['id']} {document['version']}: {len(document['domains'])} domains, "
        f"{questions} questions)"
    )
    click.echo(str(output))


@rubric_group.command(name="new")
@click.argument("name", metavar="NAME")
@click.option("--domains", type=int, default=4, show_default=True, help="Domains, 1 to 30.")
@click.option("--levels", type=int, default=5, show_default=True, help="Levels of the scale, 2 to 10.")
@click.option("--questions", type=int, default=2, show_default=True, help="Questions in each domain, 1 to 20.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The rubric, OUT.yaml (without it, the YAML goes to stdout).",
)
@click.option("--force", is_flag=True, help="Replace OUT.yaml if it exists.")
def rubric_new_command(name: str, domains: int, levels: int, questions: int, output: Path | None, force: bool) -> None:
    """Write a starter rubric with the id NAME: valid as it stands, each key explained in a comment, the optional
    ones as commented examples; fill in its placeholders, then validate it.

    Example: qimaturity rubric new ward-qi-check --domains 4 --levels 5 -o ward-qi-check.yaml
    """
    from qimaturity.rubric.scaffold import new_rubric

    if output is not None and output.suffix.lower() not in (".yaml", ".yml"):
        raise OneLineError("the output must end in .yaml or .yml", param_hint="-o/--output")
    text = new_rubric(name, domains=domains, levels=levels, questions=questions)
    if output is None:
        click.echo(text, nl=False)
        return
    if output.exists() and not force:
        raise OneLineError(
            f"{output} already exists, and a new rubric does not replace it (--force does)", param_hint="-o/--output"
        )
    from qimaturity._core.outputs import write_atomic

    write_atomic(output, text)
    click.echo(str(output))


@rubric_group.command(name="diff")
@click.argument("old", metavar="OLD", shell_complete=complete_rubric)
@click.argument("new", metavar="NEW", shell_complete=complete_rubric)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@rubric_path_option
def rubric_diff_command(old: str, new: str, fmt: str) -> None:
    """Show what changed from rubric OLD to rubric NEW (ids or paths): questions added, removed, renamed, split,
    merged, remapped, dropped, moved or reworded; levels, weights, critical flags, targets, N/A and evidence
    settings, who is asked; domains, groups, scoring, bands and rules. When NEW carries a migration map from OLD's
    version, questions are paired as the map says.

    Example: qimaturity rubric diff rubrics/ours-1.0.yaml rubrics/ours-2.0.yaml --format json
    """
    from qimaturity.rubric.diff import rubric_diff
    from qimaturity.rubric.load import load_rubric

    search_path = search_path_of(click.get_current_context())
    diff = rubric_diff(load_rubric(old, search_path=search_path), load_rubric(new, search_path=search_path))
    if fmt == "json":
        _json(diff.to_dict())
    else:
        click.echo(terminal_text(diff.text(), newlines=True), nl=False)


def peer_group_options(when: str = "") -> Callable[[Any], Any]:
    """The --group-by and --min-cohort options of compare, report and batch (``when``: the option they go with)."""
    lead = f"With {when}: " if when else ""

    def check(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        _plain_text(ctx, param, value)
        if value is not None and value not in ("type", "region") and not value.startswith("metadata."):
            hint = did_you_mean(value, ("type", "region"))
            raise OneLineError(
                f"'{value}' is not a field: "
                + (f"{hint} (or metadata.KEY)" if hint else "use type, region or metadata.KEY"),
                ctx=ctx,
                param=param,
            )
        return value

    def decorate(command: Any) -> Any:
        command = click.option(
            "--min-cohort",
            type=click.IntRange(min=1),
            default=5,
            show_default=True,
            help=f"{lead}groups smaller than this are suppressed.",
        )(command)
        return click.option(
            "--group-by",
            metavar="FIELD",
            callback=check,
            help=f"{lead}peer groups by type, region or an organisation metadata key (metadata.KEY).",
        )(command)

    return decorate


MAPPING_HELP = "MAP.yaml for survey or spreadsheet exports (see docs/importing.md)."


@cli.command(name="score")
@click.argument("rubric", metavar="RUBRIC", type=RUBRIC_REF, is_eager=True)
@click.argument("answers", nargs=-1, required=True, metavar="ANSWERS...", shell_complete=complete_path)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option(
    "--target",
    "targets",
    multiple=True,
    type=TARGET,
    metavar="[ID=]LEVEL",
    help="Target level: ID=LEVEL for a domain, question or 'overall'; a bare LEVEL for everything else. Repeatable.",
)
@click.option(
    "--what-if",
    "what_if",
    multiple=True,
    type=WHAT_IF,
    metavar="QUESTION=LEVEL",
    help="Project the result with this question at this level. Repeatable.",
)
@click.option("--fail-under", type=LEVEL, metavar="LEVEL", help="Exit 1 when an overall level is below LEVEL.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the results to OUT.json, OUT.csv or OUT.xlsx instead of the terminal.",
)
@click.option("--mapping", "mapping_path", type=click.Path(dir_okay=False, path_type=Path), help=MAPPING_HELP)
@click.option(
    "--trace",
    is_flag=True,
    help="JSON: give every question, domain and the overall result its trace and each question its answers.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="JSON and CSV of 64 files or more: processes scoring at once (default: one per CPU; 1: this one only).",
)
@rubric_path_option
def score_command(
    rubric: Rubric,
    answers: tuple[str, ...],
    fmt: str,
    targets: tuple[tuple[str | None, int], ...],
    what_if: tuple[tuple[str, int], ...],
    fail_under: int | None,
    output: Path | None,
    mapping_path: Path | None,
    trace: bool = False,
    workers: int | None = None,
) -> None:
    """Score answers files (YAML or JSON; a folder means every answers file in it and its subfolders) against a
    rubric.

    Each result is written as soon as it is scored. JSON gives one result as an object, several as an array with
    one result on each line; without --trace, without the traces. From 64 files on, JSON and CSV are scored by
    --workers processes (default: one per CPU), in the files' order.

    Example: qimaturity score qi-readiness examples/answers/ --target 4 --what-if gov-board-agenda=4
    """
    suffix = fmt if output is None else output.suffix.lower().lstrip(".")
    if output is not None and suffix not in ("json", "csv", "xlsx"):
        raise OneLineError("the output must end in .json, .csv or .xlsx", param_hint="-o/--output")
    answers = _listed_answers(answers, mapping_path)
    target_map, default_target = targets_of(targets)
    options: dict[str, Any] = {
        "targets": target_map,
        "default_target": default_target,
        "what_if": dict(what_if),
        "mapping": mapping_path,
    }
    problems: list[Problem] = []
    below: list[tuple[str, int | None]] = []

    def keep(name: str, level: int | None) -> None:
        # Only the problems, and the few words --fail-under needs, are kept: results pass through as they come.
        if fail_under is not None and (level is None or level < fail_under):
            below.append((name, level))

    def results() -> Iterator[Result]:
        for item in iter_scores(rubric, answers, **options):
            if isinstance(item, Result):
                keep(item.organisation.name, item.overall.level)
                yield item
            else:
                problems.append(item)

    def texts() -> Iterator[str]:
        # JSON or CSV text, made where the result is scored (in a worker, from 64 files on). CSV comes from the
        # columnar engine, a batch of assessments at a time (the row engine's bytes).
        if suffix == "csv":
            for item in iter_csv(rubric, answers, workers=workers, **options):
                if isinstance(item, Problem):
                    problems.append(item)
                else:
                    text, scored = item
                    for name, level in scored:
                        keep(name, level)
                    yield text
            return
        render = functools.partial(result_json, trace=trace)
        # JSON without traces shows nothing that explains the numbers: they are scored without it, much faster.
        for rendered in iter_rendered(
            rubric, answers, functools.partial(_rendered, render), workers=workers, details=trace, **options
        ):
            if isinstance(rendered, Problem):
                problems.append(rendered)
            else:
                text, name, level = rendered
                keep(name, level)
                yield text

    if output is not None:
        written = _write_results(
            output, suffix, texts() if suffix != "xlsx" else results(), failed=lambda: bool(problems)
        )
        if problems or not written:
            # A failed run never replaces an earlier output: all the answers files are good, or nothing is written.
            _emit_problems(problems)
            why = "an answers file has problems" if problems else "there are no results"
            click.echo(f"{output}: not written, because {why} (left as it was)", err=True)
            sys.exit(2)
        click.echo(str(output))
    elif fmt == "json":
        # One result is an object; with a bad file among several, an array even when one result is left.
        write_json_texts(texts(), sys.stdout, lone=lambda: not problems)
    elif fmt == "csv":
        write_csv_texts(texts(), sys.stdout)
    else:
        from qimaturity.cli.display import priorities_table, projection_table, result_table

        console = stdout_console()
        for result in results():
            console.print(result_table(result))
            if result.priorities:
                console.print(priorities_table(result))
            if result.projection is not None:
                console.print(projection_table(result))
    if problems:
        _emit_problems(problems)
        sys.exit(2)
    if fail_under is not None:
        for name, level in below:
            _say(f"{name}: overall level {level} is below --fail-under {fail_under}")
        if below:
            sys.exit(1)


def _listed_answers(answers: Sequence[str], mapping_path: Path | None) -> tuple[str, ...]:
    """The answers files the arguments stand for (folders and their subfolders listed), with a note on stderr for
    each file of a folder passed over (a rejects file, a mapping file, a symlink leading out)."""
    from qimaturity.cohort.score import list_answer_files

    files, notes = list_answer_files(answers, exports=mapping_path is not None)
    for note in notes:
        _say(f"note: {note}")
    return tuple(str(path) for path in files)


def _rendered(render: Callable[[Result], str], result: Result) -> tuple[str, str, int | None]:
    """A result's text, with its organisation's name and overall level (for --fail-under)."""
    return render(result), result.organisation.name, result.overall.level


class _Abandoned(Exception):
    """Raised inside an output being written, so that it is not kept."""


def _write_results(
    output: Path, fmt: str, items: Iterator[str] | Iterator[Result], *, failed: Callable[[], bool]
) -> int:
    """Write results' texts (results, to a workbook) to ``output`` as they come, atomically. When there
    are none, or ``failed()`` says a problem turned up on the way, the output is left as it was (the problems are
    the caller's to report). Returns how many results there were."""
    from qimaturity._core.outputs import atomic_output, atomic_text

    if fmt == "xlsx":
        from qimaturity.scoring.tables import write_xlsx

        written = 0
        try:
            with atomic_output(output) as binary:
                written = write_xlsx((item for item in items if isinstance(item, Result)), binary, failed=failed)
                if written == 0 or failed():
                    raise _Abandoned
        except _Abandoned:
            pass
        return written
    count = 0

    def counted() -> Iterator[str]:
        nonlocal count
        for text in items:
            assert isinstance(text, str)
            count += 1
            yield text
        if count == 0 or failed():
            raise _Abandoned

    try:
        with atomic_text(output) as stream:
            if fmt == "csv":
                write_csv_texts(counted(), stream)
            else:
                write_json_texts(counted(), stream, lone=lambda: True)
    except _Abandoned:
        pass
    return count


@cli.command(name="explain")
@click.argument("rubric", metavar="RUBRIC", type=RUBRIC_REF, is_eager=True)
@click.argument("answers", metavar="ANSWERS", shell_complete=complete_path)
@click.option(
    "--domain", "domain_id", type=DOMAIN, help="Explain one domain and its questions.", shell_complete=complete_domain
)
@click.option(
    "--question", "question_id", type=QUESTION, help="Explain one question.", shell_complete=complete_question
)
@click.option("--target", "targets", multiple=True, type=TARGET, metavar="[ID=]LEVEL", help="As for score.")
@click.option("--what-if", "what_if", multiple=True, type=WHAT_IF, metavar="QUESTION=LEVEL", help="As for score.")
@click.option("--mapping", "mapping_path", type=click.Path(dir_okay=False, path_type=Path), help=MAPPING_HELP)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="The explanation as text, or as JSON (schemas/explain.schema.json) on stdout.",
)
@rubric_path_option
def explain_command(
    rubric: Rubric,
    answers: str,
    domain_id: str | None,
    question_id: str | None,
    targets: tuple[tuple[str | None, int], ...],
    what_if: tuple[tuple[str, int], ...],
    mapping_path: Path | None = None,
    fmt: str = "text",
) -> None:
    """Explain how a result was reached: answers, rules and arithmetic, for the whole or one domain or question.

    Example: qimaturity explain qi-readiness examples/answers/riverside-community.yaml --domain leadership
    """
    from qimaturity.scoring.explain import explain

    target_map, default_target = targets_of(targets)
    result = score_one(
        rubric, answers, targets=target_map, default_target=default_target, what_if=dict(what_if), mapping=mapping_path
    )
    if fmt == "json":
        from qimaturity.scoring.explain import explanation

        _json(explanation(result, domain_id=domain_id, question_id=question_id))
        return
    trace = explain(result, domain_id=domain_id, question_id=question_id)
    click.echo(terminal_text(trace, newlines=True), nl=False)


@cli.command(name="report")
@click.argument("rubric", metavar="RUBRIC", type=RUBRIC_REF, is_eager=True)
@click.argument("answers", metavar="ANSWERS", shell_complete=complete_path)
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="OUT.pdf or OUT.html"
)
@click.option("--target", "targets", multiple=True, type=TARGET, metavar="[ID=]LEVEL", help="As for score.")
@click.option(
    "--what-if",
    "what_if",
    multiple=True,
    type=WHAT_IF,
    metavar="QUESTION=LEVEL",
    help="Add a what-if page. As for score.",
)
@click.option(
    "--brand",
    type=click.Path(dir_okay=False, path_type=Path),
    help="BRAND.yaml: name, logo, colours, fonts, cover and footer text.",
)
@click.option(
    "--templates",
    type=click.Path(file_okay=False, path_type=Path),
    help="A folder of templates that override the bundled ones' blocks.",
)
@click.option(
    "--report-date",
    type=DATE,
    metavar="YYYY-MM-DD",
    help="Date recorded in the report and its metadata (default: SOURCE_DATE_EPOCH, else none).",
)
@click.option(
    "--cohort",
    "cohort_paths",
    multiple=True,
    metavar="ANSWERS|DIR",
    shell_complete=complete_path,
    help="Peers' answers: adds a 'you versus your peers' section. Repeatable.",
)
@peer_group_options("--cohort")
@click.option(
    "--history",
    "history_paths",
    multiple=True,
    metavar="ANSWERS",
    shell_complete=complete_path,
    help="Earlier answers of the same organisation: adds a 'since last time' section. Repeatable.",
)
@click.option(
    "--with-rubric",
    "other_rubrics",
    multiple=True,
    type=RUBRIC,
    metavar="RUBRIC",
    help="Another version of the rubric, for cohort or history answers given to it.",
)
@plan_start_option
@click.option("--mapping", "mapping_path", type=click.Path(dir_okay=False, path_type=Path), help=MAPPING_HELP)
@rubric_path_option
def report_command(
    rubric: Rubric,
    answers: str,
    output: Path,
    targets: tuple[tuple[str | None, int], ...],
    what_if: tuple[tuple[str, int], ...],
    brand: Path | None,
    templates: Path | None,
    report_date: date | None,
    cohort_paths: tuple[str, ...],
    group_by: str | None,
    min_cohort: int,
    history_paths: tuple[str, ...],
    other_rubrics: tuple[Rubric, ...],
    plan_start: date | None = None,
    mapping_path: Path | None = None,
) -> None:
    """Write a gap report for one organisation as PDF (A4, tagged) or self-contained HTML.

    Example: qimaturity report qi-readiness examples/answers/riverside-community.yaml -o out/riverside.pdf
    """
    from qimaturity.report.build import report

    target_map, default_target = targets_of(targets)
    written = report(
        rubric,
        answers,
        output,
        targets=target_map,
        default_target=default_target,
        what_if=dict(what_if),
        mapping=mapping_path,
        brand=brand,
        templates=templates,
        report_date=report_date,
        cohort=_listed_answers(cohort_paths, mapping_path) if cohort_paths else None,
        group_by=group_by,
        min_cohort=min_cohort,
        history=_listed_answers(history_paths, mapping_path) if history_paths else history_paths,
        other_rubrics=other_rubrics,
        plan_start=plan_start,
    )
    click.echo(str(written))


@cli.command(name="plan")
@click.argument("rubric", metavar="RUBRIC", type=RUBRIC_REF, is_eager=True)
@click.argument("answers", metavar="ANSWERS", shell_complete=complete_path)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the action log to OUT.csv or OUT.xlsx (else CSV to the terminal).",
)
@click.option("--target", "targets", multiple=True, type=TARGET, metavar="[ID=]LEVEL", help="As for score.")
@plan_start_option
@click.option("--mapping", "mapping_path", type=click.Path(dir_okay=False, path_type=Path), help=MAPPING_HELP)
@rubric_path_option
def plan_command(
    rubric: Rubric,
    answers: str,
    output: Path | None,
    targets: tuple[tuple[str | None, int], ...],
    plan_start: date | None,
    mapping_path: Path | None = None,
) -> None:
    """Write the improvement plan of one organisation's gap report as an action log (CSV or XLSX): one row per
    cycle with its owner, step, measure, baseline, prediction, start and review dates, and status.

    Example: qimaturity plan qi-readiness examples/answers/northgate-acute.yaml -o actions.xlsx
    """
    from qimaturity.report.plan import action_log, action_log_csv, action_log_format, write_action_log

    if output is not None:
        action_log_format(output)  # a wrong suffix is refused before any scoring
    target_map, default_target = targets_of(targets)
    rows = action_log(
        rubric, answers, targets=target_map, default_target=default_target, mapping=mapping_path, plan_start=plan_start
    )
    if output is None:
        click.echo(action_log_csv(rows), nl=False)
    else:
        click.echo(str(write_action_log(rows, output)))


@cli.command(name="compare")
@click.argument("rubric", metavar="RUBRIC", type=RUBRIC_REF, is_eager=True)
@click.argument("answers", nargs=-1, required=True, metavar="ANSWERS...|DIR", shell_complete=complete_path)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="OUT.html, OUT.pdf, OUT.csv, OUT.xlsx or OUT.json; without it, the summary on the terminal.",
)
@click.option(
    "--format",
    "fmt_out",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="Without -o: tables on the terminal, or the JSON document or a CSV table on stdout.",
)
@click.option(
    "--table",
    "csv_table",
    type=click.Choice(["groups", "organisations", "trends"]),
    default="groups",
    show_default=True,
    help="Which table a CSV holds: statistics per group and domain, one row per organisation, or one row per "
    "organisation, domain and date.",
)
@click.option(
    "--all", "show_all", is_flag=True, help="On the terminal: every table (statistics, ranking, trends, years)."
)
@peer_group_options()
@click.option(
    "--with-rubric",
    "other_rubrics",
    multiple=True,
    type=RUBRIC,
    metavar="RUBRIC",
    help="Another version of the rubric, for answers given to it. Repeatable.",
)
@click.option(
    "--across-versions", is_flag=True, help="Compare results of different rubric versions on the domains they share."
)
@click.option("--target", "targets", multiple=True, type=TARGET, metavar="[ID=]LEVEL", help="As for score.")
@click.option(
    "--period",
    type=click.IntRange(1000, 9999),
    metavar="YYYY",
    help="Compare the assessments dated in this calendar year (each organisation by its latest of the year).",
)
@click.option(
    "--from", "start", type=DATE, metavar="YYYY-MM-DD", help="Compare the assessments dated on or after this day."
)
@click.option("--to", "end", type=DATE, metavar="YYYY-MM-DD", help="Compare the assessments dated up to this day.")
@click.option("--report-date", type=DATE, metavar="YYYY-MM-DD", help="As for report.")
@click.option("--mapping", "mapping_path", type=click.Path(dir_okay=False, path_type=Path), help=MAPPING_HELP)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="64 files or more: processes scoring at once (default: one per CPU; 1: this one only).",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Score the Parquet exports on this Dask scheduler (needs qimaturity[dask]; workers see the same paths).",
)
@rubric_path_option
def compare_command(
    rubric: Rubric,
    answers: tuple[str, ...],
    output: Path | None,
    group_by: str | None,
    min_cohort: int,
    other_rubrics: tuple[Rubric, ...],
    across_versions: bool,
    targets: tuple[tuple[str | None, int], ...],
    report_date: date | None,
    period: int | None = None,
    start: date | None = None,
    end: date | None = None,
    mapping_path: Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    fmt_out: str = "table",
    csv_table: str = "groups",
    show_all: bool = False,
) -> None:
    """Compare organisations: per domain the count, median, quartiles and levels; a ranking; a heatmap; peer groups;
    outliers; trends for organisations assessed more than once; and, when the assessments cover several years, the
    national trend: each year's statistics and the movement between levels from year to year. A Parquet export (a
    national archive, one row per respondent) is read with the columnar engine, on a Dask cluster with --scheduler.

    Example: qimaturity compare qi-readiness submissions/ --period 2025 --group-by region -o out/cohort-2025.pdf
    """
    from qimaturity.cli.display import progress_bar
    from qimaturity.cohort.compare import compare

    if period is not None:
        if start is not None or end is not None:
            raise click.UsageError("give --period YEAR, or --from and --to, not both")
        start, end = date(period, 1, 1), date(period, 12, 31)
    if start is not None and end is not None and start > end:  # said before any file is scored
        raise OneLineError(
            f"--from {start} is after --to {end}: give --from on or before --to (or swap them)",
            param_hint="--from/--to",
        )

    fmt = None
    if output is not None:
        from qimaturity.report.build import COHORT_FORMATS, output_format

        fmt = output_format(output, None if fmt_out == "table" else fmt_out, COHORT_FORMATS)
    csv_wanted = fmt == "csv" if output is not None else fmt_out == "csv"
    given = click.get_current_context().get_parameter_source("csv_table")
    if not csv_wanted and given is not None and given.name != "DEFAULT":
        raise click.UsageError("--table chooses a CSV's table: give it with -o OUT.csv or --format csv")
    target_map, default_target = targets_of(targets)
    answers = _listed_answers(answers, mapping_path)
    # Scored here rather than by compare(), which refuses a cohort with a bad file: the terminal tables still show
    # the others.
    remote: list[Result] = []
    remote_problems: list[Problem] = []
    if scheduler is not None:
        # The Parquet exports on the cluster; any other answers here, as without it.
        from qimaturity._core.kinds import input_kind
        from qimaturity.batch.cluster import export_results_on

        exports = [a for a in answers if input_kind(a) == "parquet"]
        if not exports:
            raise OneLineError("applies to Parquet exports, and none is given", param_hint="--scheduler")
        answers = tuple(a for a in answers if a not in exports)
        for export in exports:
            try:
                remote.extend(
                    export_results_on(scheduler, rubric, export, targets=target_map, default_target=default_target)
                )
            except InputError as error:  # reported with the others' problems, as without a cluster
                remote_problems.extend(error.problems)
    results: list[Result] = []
    problems: list[Problem] = []
    if answers:
        with progress_bar("compare") as progress:
            results, problems = score_files(
                [rubric, *other_rubrics],
                answers,
                targets=target_map,
                default_target=default_target,
                keep_details=False,
                mapping=mapping_path,
                progress=progress,
                workers=workers,
                columnar=True,
            )
    results, problems = [*remote, *results], [*remote_problems, *problems]
    if problems:
        _emit_problems(problems)
        if not results:
            _say("compare: no answers file could be scored, so there is nothing to compare: fix the problems above")
            sys.exit(2)
        if output is not None:
            # A failed run never replaces an earlier output: a cohort missing a bad file is not written.
            click.echo(f"{output}: not written, because an answers file has problems (left as it was)", err=True)
            sys.exit(2)
    from qimaturity.cohort.model import PeriodError

    try:
        cohort = compare(
            rubric,
            results,
            other_rubrics=other_rubrics,
            group_by=group_by,
            min_cohort=min_cohort,
            across_versions=across_versions,
            start=start,
            end=end,
        )
    except PeriodError as error:
        raise OneLineError(
            _period_message(error, period, start, end), param_hint=_period_option(period, start, end)
        ) from None
    if output is None and fmt_out != "table":
        from qimaturity.report.build import cohort_document

        click.echo(cohort_document(cohort, rubric, fmt_out, table=csv_table), nl=False)
    elif output is None or fmt is None:
        from qimaturity.cli.display import cohort_summary_tables, cohort_tables

        console = stdout_console()
        if show_all:
            tables = cohort_tables(cohort)
        else:
            from qimaturity.report.cohort_view import cohort_summary

            level_names = {level.value: level.name for level in rubric.levels}
            tables = cohort_summary_tables(cohort, cohort_summary(cohort, level_names))
        for table in tables:
            console.print(table)
    else:
        from qimaturity._core.outputs import write_atomic
        from qimaturity.report.build import cohort_document

        write_atomic(output, cohort_document(cohort, rubric, fmt, report_date=report_date, table=csv_table))
    for note in cohort.notes:
        _say(f"note: {note}")
    if output is not None:
        click.echo(str(output))
    if problems:
        sys.exit(2)


def _period_option(period: int | None, start: date | None, end: date | None) -> str:
    """The option(s) a period came from, as click names them in "Invalid value for ..."."""
    if period is not None:
        return "--period"
    return "--from/--to" if start is not None and end is not None else "--from" if start is not None else "--to"


def _period_message(error: Any, period: int | None, start: date | None, end: date | None) -> str:
    """What is wrong with the period compare was given, and what to give instead, in its options' words."""
    from qimaturity.cohort.model import dates_words

    if error.reason == "backwards":
        return f"--from {start} is after --to {end}: give --from on or before --to (or swap them)"
    if error.reason != "empty":
        return f"{error.message} ({error.hint})"
    latest = "to compare each organisation's latest assessment"
    options = ["--period"] if period is not None else [o for o, d in (("--from", start), ("--to", end)) if d]
    if not error.dates:
        return f"no assessment has a date, so none is in a period: leave {' and '.join(options)} out {latest}"
    there = dates_words(error.dates)
    if period is not None:
        years = sorted({d[:4] for d in error.dates})
        return (
            f"no assessment is dated in {period} ({there}): give a year that has assessments "
            f"({', '.join(years)}; e.g. --period {years[-1]}), or leave --period out {latest}"
        )
    given = " ".join(f"{option} {day}" for option, day in (("--from", start), ("--to", end)) if day is not None)
    return (
        f"no assessment is dated in the period {given} ({there}): give dates that take some in, or leave "
        f"{' and '.join(options)} out {latest}"
    )


@cli.command(name="batch")
@click.argument("rubric", metavar="RUBRIC", type=RUBRIC_NAME, is_eager=True)
@click.argument("directory", metavar="DIR", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output-dir",
    "output_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for STEM.pdf, STEM.html and STEM.json of each answers file (created if missing).",
)
@click.option(
    "--formats",
    type=FORMATS,
    default="pdf,html,json",
    show_default=True,
    metavar="LIST",
    help="Comma-separated outputs to write: pdf, html, json.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Processes to run at once (default: one per CPU; 1 runs in this process).",
)
@click.option("--force", is_flag=True, help="Write every output again, even those that are up to date.")
@click.option(
    "--trace", is_flag=True, help="Give each STEM.json its traces, as score --format json --trace (else left out)."
)
@click.option("--scheduler", metavar="ADDRESS", help="Run the jobs on this Dask scheduler (needs qimaturity[dask]).")
@click.option("--target", "targets", multiple=True, type=TARGET, metavar="[ID=]LEVEL", help="As for score.")
@click.option("--brand", type=click.Path(dir_okay=False, path_type=Path), help="BRAND.yaml, as for report.")
@click.option(
    "--templates", type=click.Path(file_okay=False, path_type=Path), help="A templates folder, as for report."
)
@click.option("--report-date", type=DATE, metavar="YYYY-MM-DD", help="As for report.")
@plan_start_option
@click.option(
    "--peers", is_flag=True, help="Give every report a 'you and your peers' section: the batch is the cohort."
)
@peer_group_options("--peers")
@click.option("--mapping", "mapping_path", type=click.Path(dir_okay=False, path_type=Path), help=MAPPING_HELP)
@rubric_path_option
def batch_command(
    rubric: str,
    directory: Path,
    output_dir: Path,
    formats: tuple[str, ...],
    workers: int | None,
    force: bool,
    scheduler: str | None,
    targets: tuple[tuple[str | None, int], ...],
    brand: Path | None,
    templates: Path | None,
    report_date: date | None,
    plan_start: date | None,
    peers: bool,
    group_by: str | None,
    min_cohort: int,
    mapping_path: Path | None = None,
    trace: bool = False,
) -> None:
    """Score every answers file in DIR (not its subfolders) and write each organisation its own report:
    OUT_DIR/STEM.pdf, .html, .json.

    Outputs already up to date (per OUT_DIR/.qimaturity-batch.json) are skipped unless --force. A bad file is
    reported in the summary while the others are still written (exit code 2); an internal error in one job
    gives exit code 70. Progress and the summary go to stderr; when stdout is not a terminal, the paths of the
    outputs written are printed to it, one per line.

    Example: qimaturity batch qi-readiness submissions/ -o reports/ --workers 4
    """
    from qimaturity.batch.run import run_batch
    from qimaturity.cli.display import progress_bar

    target_map, default_target = targets_of(targets)
    with progress_bar() as progress:
        summary = run_batch(
            rubric,
            directory,
            output_dir,
            formats=formats,
            workers=workers,
            scheduler=scheduler,
            force=force,
            targets=target_map,
            default_target=default_target,
            brand=brand,
            templates=templates,
            report_date=report_date,
            plan_start=plan_start,
            progress=progress,
            peers=peers,
            group_by=group_by,
            min_cohort=min_cohort,
            mapping=mapping_path,
            search_path=search_path_of(click.get_current_context()),
            trace=trace,
        )
    if not sys.stdout.isatty():
        for path in summary.written:
            click.echo(str(path))
    for line in summary.lines():
        _say(line)
    if summary.exit_code:
        sys.exit(summary.exit_code)


@cli.command(name="score-export")
@click.argument("rubric", metavar="RUBRIC", type=RUBRIC_REF, is_eager=True)
@click.argument("export", metavar="EXPORT", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here (else stdout).")
@click.option("--target", "targets", multiple=True, type=TARGET, metavar="[ID=]LEVEL", help="As for score.")
@click.option(
    "--intervals",
    is_flag=True,
    help="CSV: add interval_low and interval_high (each value's 95 % interval); up to half as much time again.",
)
@click.option("--trace", is_flag=True, help="JSON: give every result its traces, as for score.")
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Score on this Dask scheduler, organisations shared out (needs qimaturity[dask]; workers see the same path).",
)
@rubric_path_option
def score_export_command(
    rubric: Rubric,
    export: Path,
    fmt: str,
    output: Path | None,
    targets: tuple[tuple[str | None, int], ...],
    intervals: bool,
    trace: bool = False,
    scheduler: str | None = None,
) -> None:
    """Score every organisation in a respondent export (CSV or Parquet, one row per respondent) with Polars.

    Columns: organisation_id, optional organisation_name, organisation_type, region, date, respondent and group,
    then one column per question id; a cell is a level, empty or N/A. CSV gives one row per overall, domain and
    question result of each organisation (with --intervals, each value's interval too); JSON an array of results
    (one on each line; with --trace, their traces too), intervals included. Needs the scale extra (Polars).

    Example: qimaturity score-export qi-readiness survey.parquet -o scores.csv --intervals
    """
    import io

    from qimaturity._core.outputs import write_atomic

    if scheduler is not None:
        require_extras("score-export --scheduler", "dask", "scale")
    with extra_imports("score-export"):
        from qimaturity.scoring.columnar import score_export
    target_map, default_target = targets_of(targets)
    stream = io.StringIO()
    if scheduler is not None:
        from qimaturity.batch.cluster import score_export_csv_on, score_export_json_on

        options: dict[str, Any] = {"targets": target_map, "default_target": default_target}
        if fmt == "json":
            texts = score_export_json_on(scheduler, rubric, export, trace=trace, **options)
            count = write_json_texts(texts, stream, lone=lambda: False)
        else:
            text, count = score_export_csv_on(scheduler, rubric, export, intervals=intervals, **options)
            stream.write(text)
    else:
        # Full results carry intervals: for JSON they are measured in the counting pass, not in a second reading.
        results = score_export(
            rubric, export, targets=target_map, default_target=default_target, intervals=intervals or fmt == "json"
        )
        count = len(results)
        if fmt == "json":
            write_json(results, stream, trace=trace, lone=lambda: False)
        else:
            results.write_csv(stream)
    if output is None:
        click.echo(stream.getvalue(), nl=False)
    else:
        write_atomic(output, stream.getvalue())
        _say(f"{output}: {count} assessment(s)")  # an organisation with rows of two dates is two of them


def fhir_base_option(effect: str) -> Callable[[Any], Any]:
    """``--fhir-base URL``: the FHIR server whose canonical URLs the rubric's Questionnaire takes, in place of the
    rubric's ``fhir.canonical`` (or the placeholder)."""
    return click.option(
        "--fhir-base",
        metavar="URL",
        help=f"The base URL of your FHIR server, e.g. https://fhir.example.org/fhir. {effect} (instead of the "
        "rubric's fhir.canonical, or the placeholder https://qimaturity.example/fhir).",
    )


def _with_fhir_base(rubric: Rubric, base: str | None) -> Rubric:
    """The rubric with ``--fhir-base`` applied (as given: nothing when it is not)."""
    if base is None:
        return rubric
    from qimaturity.answers.fhir import with_fhir_base

    try:
        return with_fhir_base(rubric, base)
    except ValueError as error:
        raise OneLineError(str(error), param_hint="--fhir-base") from None


@cli.command(name="questionnaire")
@click.argument("rubric", metavar="RUBRIC", type=RUBRIC_REF, is_eager=True)
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="FORM.html, .pdf or .xlsx"
)
@click.option(
    "--group",
    type=GROUP,
    metavar="GROUP",
    help="Only the questions this respondent group is asked.",
    shell_complete=complete_group,
)
@click.option(
    "--organisation", metavar="NAME", callback=_plain_text, help="The organisation's name, printed on the form."
)
@click.option("--brand", type=click.Path(dir_okay=False, path_type=Path), help="BRAND.yaml, as for report.")
@click.option("--fhir", "fhir_release", flag_value="R4", help="Write a FHIR R4 Questionnaire (JSON) instead.")
@click.option("--fhir-r5", "fhir_release", flag_value="R5", help="Write a FHIR R5 Questionnaire (JSON) instead.")
@fhir_base_option("The Questionnaire's canonical URL is then URL/Questionnaire/<rubric id>")
@rubric_path_option
def questionnaire_command(
    rubric: Rubric,
    output: Path,
    group: str | None,
    organisation: str | None,
    brand: Path | None,
    fhir_release: str | None,
    fhir_base: str | None,
) -> None:
    """Write a blank questionnaire: a printable form (HTML, A4 PDF) or a spreadsheet template (XLSX) to fill in
    and read back.

    Example: qimaturity questionnaire qi-readiness -o out/board.pdf --group board
    """
    from qimaturity.report.branding import DEFAULT_BRAND, load_brand
    from qimaturity.report.questionnaire import FORMATS, write_questionnaire
    from qimaturity.report.render import generation_time

    if fhir_release is not None:
        from qimaturity._core.outputs import write_atomic
        from qimaturity.answers.fhir import is_placeholder, questionnaire_json, questionnaire_url

        if output.suffix.lower() != ".json":
            raise OneLineError("a FHIR Questionnaire is written as .json", param_hint="-o/--output")
        rubric = _with_fhir_base(rubric, fhir_base)
        write_atomic(output, questionnaire_json(rubric, "R5" if fhir_release == "R5" else "R4", group=group))
        click.echo(str(output))
        if is_placeholder(rubric):
            _say(
                f"note: the Questionnaire's canonical URL is the placeholder {questionnaire_url(rubric)}: give "
                "--fhir-base URL (your FHIR server's base), or fhir: {canonical: URL} in the rubric, for your own; "
                "import its responses the same way"
            )
        return
    if fhir_base is not None:
        raise OneLineError("applies to a FHIR Questionnaire (--fhir or --fhir-r5)", param_hint="--fhir-base")
    if output.suffix.lower() not in FORMATS:
        raise OneLineError("the output must end in .html, .pdf or .xlsx", param_hint="-o/--output")
    chosen = load_brand(brand) if brand is not None else DEFAULT_BRAND
    write_questionnaire(
        rubric, output, group=group, organisation=organisation, brand=chosen, generated=generation_time()
    )
    click.echo(str(output))


@cli.command(name="import")
@click.argument("rubric", metavar="RUBRIC", type=RUBRIC_REF, is_eager=True)
@click.argument("export", metavar="EXPORT", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--mapping",
    "mapping_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="MAP.yaml: which column holds what (see docs/importing.md).",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="OUT.yaml for one organisation; a folder (created) for several, one OUT/<id>.yaml each.",
)
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where the rows of rejected organisations go, as CSV with a reason column (default: OUT.rejects.csv).",
)
@click.option(
    "--strict", is_flag=True, help="All or nothing: write no answers file when any organisation has a problem."
)
@click.option(
    "--replace",
    is_flag=True,
    help="Replace answers files in OUT that hold other assessments (another date, other answers); without it, "
    "nothing is written when any does.",
)
@click.option(
    "--missing",
    type=click.Choice(["error", "exclude", "count_as_lowest"]),
    help="The missing-answer policy for these assessments, instead of the rubric's scoring.missing (recorded in "
    "each answers file written, as missing:, when it differs from the rubric's).",
)
@fhir_base_option(
    "The responses must answer the Questionnaire URL/Questionnaire/<rubric id>, as questionnaire --fhir-base URL "
    "writes it"
)
@rubric_path_option
def import_command(
    rubric: Rubric,
    export: Path,
    mapping_path: Path | None,
    output: Path,
    rejects: Path | None = None,
    strict: bool = False,
    missing: str | None = None,
    replace: bool = False,
    fhir_base: str | None = None,
) -> None:
    """Turn a survey export (CSV, TSV or XLSX from Qualtrics, REDCap, Microsoft Forms, LimeSurvey or a
    spreadsheet), a filled questionnaire template (XLSX) or FHIR QuestionnaireResponses (JSON, one or a Bundle)
    into answers files, checked against the rubric. The paths written are printed.

    An export is imported organisation by organisation: an organisation with a problem is reported and its rows
    are written to the rejects file, the others are written, and the exit code is 2. With --strict, nothing is
    written when anything has a problem. An answers file already in OUT that holds another assessment (another
    year's, say) is never replaced: nothing is written, each such file is named, and the exit code is 2; --replace
    replaces them. Importing the same export again writes the same files.

    Example: qimaturity import qi-readiness responses.csv --mapping mapping.yaml -o answers/
    """
    from qimaturity.answers.exports import REJECTED_COLUMN, AnswersClash, AnswersTwins
    from qimaturity.answers.sources import import_to, is_fhir

    if fhir_base is not None:
        if export.is_file() and not is_fhir(export):
            raise OneLineError(
                f"applies to FHIR QuestionnaireResponses, and {export} is not a FHIR file", param_hint="--fhir-base"
            )
        rubric = _with_fhir_base(rubric, fhir_base)
    try:
        report = import_to(
            export,
            rubric,
            output,
            mapping=mapping_path,
            strict=strict,
            missing=missing,
            rejects=rejects,
            replace=replace,
        )
    except AnswersTwins as twins:
        _emit_problems(twins.problems)
        _say(
            f"{export}: nothing written, because {len(twins.problems)} answers file(s) in {output} hold assessments "
            "this import writes under other names (listed above): remove them, or import into a folder of its own."
        )
        sys.exit(2)
    except AnswersClash as clash:
        _emit_problems(clash.problems)
        _say(
            f"{export}: nothing written, because {len(clash.problems)} answers file(s) in {output} hold other "
            "assessments (listed above): import into a folder of its own (one per year), or give --replace to "
            "replace them on purpose."
        )
        sys.exit(2)
    for path in report.written:
        click.echo(str(path))
    for note in report.notes:
        _say(f"note: {note}")
    if report.rejected:
        _emit_problems(report.problems)
        names = [r.organisation for r in report.rejected if r.organisation is not None]
        loose = sum(len(r.rows) for r in report.rejected if r.organisation is None)
        parts = []
        if names:
            shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
            parts.append(f"{len(names)} organisation(s) not imported ({shown})")
        if loose:
            parts.append(f"{loose} row(s) naming no organisation not imported")
        _say(
            f"{export}: {'; '.join(parts)}; {len(report.written)} answers file(s) written. The rows not imported "
            f"are in {report.rejects}, with the reason in its last column ({REJECTED_COLUMN}): correct them there "
            "and import that file again."
        )
        sys.exit(2)


@cli.command(name="migrate")
@click.argument("rubric", metavar="RUBRIC", type=RUBRIC_REF, is_eager=True)
@click.argument("answers", nargs=-1, required=True, metavar="ANSWERS...|DIR", shell_complete=complete_path)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder the converted answers files are written to (created), each under its own name.",
)
@click.option(
    "--from-rubric",
    "from_rubrics",
    multiple=True,
    type=RUBRIC,
    metavar="OLD",
    help="An earlier version of the rubric: its map is checked against it, and answers given to it against its "
    "questions. Repeatable.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@rubric_path_option
def migrate_command(
    rubric: Rubric, answers: tuple[str, ...], output: Path, from_rubrics: tuple[Rubric, ...], fmt: str
) -> None:
    """Convert answers files given to an earlier version of RUBRIC (their rubric: version says which) to its
    version, with the migration map RUBRIC carries from that version. Each is written to the folder -o under its
    own name (an input is never overwritten); what was renamed, split, merged, remapped and dropped, what the new
    version cannot take, and which questions are left unanswered are reported on stderr, the paths written on
    stdout. Exit code 2 when a file cannot be converted (the others are still written).

    Example: qimaturity migrate qi-readiness answers/2025/ -o answers/2025-migrated/
    """
    from qimaturity.answers.migrate import migrate_answers

    reports = migrate_answers(rubric, answers, output, from_rubrics=from_rubrics)
    failed = [report for report in reports if report.status == "failed"]
    for report in reports:
        if report.status == "failed":
            _emit_problems(report.problems)
        if fmt == "text":
            for line in report.lines():
                _say(line)
    if fmt == "json":
        _json({"migrated": not failed, "files": [report.to_dict() for report in reports]})
    else:
        for report in reports:
            if report.output is not None:
                click.echo(str(report.output))
    if failed:
        _say(f"{len(failed)} of {len(reports)} file(s) not migrated")
        sys.exit(2)


DATA_OPTION_HELP = "The site's data folder: its SQLite database, secret key and certificate."


@cli.command(name="serve")
@click.option(
    "--data",
    type=click.Path(file_okay=False, path_type=Path),
    default="qimaturity-data",
    envvar="QIMATURITY_DATA",
    show_default=True,
    help=DATA_OPTION_HELP + " Created on first run (readable by you alone). Also QIMATURITY_DATA.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="The port to listen on.")
@click.option(
    "--certificate",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="PEM",
    help="The site's TLS certificate (PEM), with --key; default: a self-signed one for localhost, made in --data.",
)
@click.option(
    "--key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="PEM",
    help="The certificate's private key (unencrypted PKCS#8 PEM).",
)
@click.option(
    "--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="Web server worker processes."
)
@click.option(
    "--examples", is_flag=True, help="Load the example organisations into the workspace 'Example organisations'."
)
def serve_command(
    data: Path, host: str, port: int, certificate: Path | None, key: Path | None, workers: int, examples: bool
) -> None:
    """Run the web application over HTTPS: on first run, create the data folder, its secret key and a self-signed
    certificate, and the database; then run the web server (granian) and the task worker until Ctrl-C or SIGTERM.
    Needs the web extra: pip install 'qimaturity[web]'.

    Example: qimaturity serve --port 8443, then qimaturity manage createsuperuser
    """
    require_extras("serve", "web")  # before the data folder is made
    from qimaturity.web.serve import Options, serve

    options = Options(data, host, port, certificate, key, workers, examples)

    def show(line: str) -> None:
        click.echo(line)
        sys.stdout.flush()

    sys.exit(serve(options, _say, show))


@cli.command(
    name="manage",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@click.option(
    "--data",
    type=click.Path(file_okay=False, path_type=Path),
    default="qimaturity-data",
    envvar="QIMATURITY_DATA",
    show_default=True,
    help=DATA_OPTION_HELP,
)
@click.argument("arguments", nargs=-1, type=click.UNPROCESSED, metavar="COMMAND [ARGS]...")
def manage_command(data: Path, arguments: tuple[str, ...]) -> None:
    """Run one of Django's management commands on the site of --data: createsuperuser (the first admin),
    changepassword, check --deploy, ... (qimaturity manage help lists them).

    Example: qimaturity manage createsuperuser --data qimaturity-data
    """
    require_extras("manage", "web")
    from qimaturity.web.serve import manage

    rest = list(arguments)
    for at, argument in enumerate(arguments):  # --data after the command (createsuperuser --data DIR) is ours too
        if argument == "--data" and at + 1 < len(arguments):
            data, rest = Path(arguments[at + 1]), rest[:at] + rest[at + 2 :]
            break
        if argument.startswith("--data="):
            data, rest = Path(argument.removeprefix("--data=")), rest[:at] + rest[at + 1 :]
            break
    manage(data, rest)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: bad input becomes a clear message and exit code 2, never a traceback."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="qimaturity", standalone_mode=False)
    except InputError as error:
        _emit_problems(error.problems)
        sys.exit(2)
    except ExtraMissing as error:  # the set-up, not a bug: one line saying what to install
        _say(f"qimaturity: {error}")
        sys.exit(2)
    except click.exceptions.Abort:
        _say("aborted")
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(2 if isinstance(error, click.UsageError) else error.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as error:  # a bug of ours: say so plainly, without local data in a traceback
        if os.environ.get("QIMATURITY_DEBUG"):
            raise
        _say(
            f"qimaturity: internal error: {type(error).__name__}: {error} "
            "(please report it; set QIMATURITY_DEBUG=1 for details)"
        )
        sys.exit(70)
