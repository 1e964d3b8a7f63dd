"""The ``qimaturity`` command: a thin shell over the public API.

Exit codes: 0 success; 1 the run worked but a requested threshold failed; 2 bad input or usage.
Machine-readable output (``--format json``) goes to stdout; messages go to stderr.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import click

from .answers import load_assessment
from .exporting import write_csv
from .model import Rubric
from .problems import InputError, Problem
from .result import Result
from .rubric import bundled_rubrics, check_rubric, load_rubric, rubric_from_document
from .scoring import score
from .validation import did_you_mean
from .version import __version__

ANSWER_SUFFIXES = (".yaml", ".yml", ".json")


def _emit_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


def _json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qimaturity")
def cli() -> None:
    """Assess how ready a healthcare organisation is for quality improvement."""


@cli.command()
@click.argument("rubrics", nargs=-1, required=True, metavar="RUBRIC...")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def validate(rubrics: tuple[str, ...], fmt: str) -> None:
    """Check rubrics (bundled ids such as qi-readiness, or paths) against the schema and meaning rules.

    Every problem is reported as FILE:LINE:COLUMN: PATH: MESSAGE (HINT). Exit code 2 when any is found.

    Example: qimaturity validate qi-readiness my-rubric.yaml
    """
    reports = []
    failed = False
    for ref in rubrics:
        doc, problems = check_rubric(ref)
        entry: dict[str, Any] = {
            "rubric": ref,
            "valid": not problems,
            "problems": [p.to_dict() for p in problems],
        }
        if doc is not None and not problems:
            rubric = rubric_from_document(doc)
            entry.update(
                id=rubric.id,
                version=rubric.version,
                file=doc.name,
                domains=len(rubric.domains),
                questions=rubric.question_count,
                content_hash=rubric.content_hash,
            )
            if fmt == "text":
                click.echo(
                    f"{doc.name}: valid ({rubric.id} {rubric.version}: {len(rubric.domains)} domains, "
                    f"{rubric.question_count} questions)",
                    err=True,
                )
        else:
            failed = True
            if fmt == "text":
                _emit_problems(problems)
                click.echo(f"{problems[0].file}: {len(problems)} problem(s)", err=True)
        reports.append(entry)
    if fmt == "json":
        _json({"valid": not failed, "rubrics": reports})
    if failed:
        sys.exit(2)


@cli.command(name="rubrics")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def list_rubrics(fmt: str) -> None:
    """List the bundled rubrics: id, version, title and counts.

    Example: qimaturity rubrics --format json
    """
    summaries = bundled_rubrics()
    if fmt == "json":
        _json([vars(s) for s in summaries])
        return
    from rich.table import Table

    table = Table(title="Bundled rubrics")
    for column in ("id", "version", "title", "domains", "questions", "levels"):
        numeric = column in ("domains", "questions", "levels")
        table.add_column(column, justify="right" if numeric else "left", no_wrap=column != "title")
    for s in summaries:
        table.add_row(s.id, s.version, s.title, str(s.domains), str(s.questions), str(s.levels))
    _console().print(table)


@cli.command()
@click.argument("rubric", metavar="RUBRIC")
@click.option("--domain", "domain_id", help="Show only this domain.")
@click.option("--levels/--no-levels", default=True, show_default=True, help="Show each question's level descriptors.")
def show(rubric: str, domain_id: str | None, levels: bool) -> None:
    """Print a rubric as a readable tree: levels, groups, domains, questions, scoring and rules.

    Example: qimaturity show qi-readiness --domain leadership
    """
    from .display import rubric_tree

    loaded = load_rubric(rubric)
    if domain_id is not None and domain_id not in {d.id for d in loaded.domains}:
        known = ", ".join(d.id for d in loaded.domains)
        raise InputError.single(rubric, f"no domain '{domain_id}' in this rubric", f"domains: {known}")
    _console().print(rubric_tree(loaded, domain_id=domain_id, levels=levels))


def answer_files(paths: Sequence[str]) -> list[Path]:
    """Answers files from paths; a folder stands for the answers files directly inside it, sorted by name."""
    files: list[Path] = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in ANSWER_SUFFIXES and p.is_file())
            if not found:
                raise InputError.single(
                    text, "the folder holds no answers files", "expected .yaml, .yml or .json files"
                )
            files.extend(found)
        else:
            files.append(path)
    return files


def _level_value(rubric: Rubric, text: str, what: str) -> int:
    scale = [level.value for level in rubric.levels]
    try:
        level = int(text)
    except ValueError:
        level = None
    if level not in scale:
        levels = ", ".join(str(v) for v in scale)
        raise click.BadParameter(f"{what}: '{text}' is not a level of {rubric.id} (levels are {levels})")
    return level


def parse_targets(rubric: Rubric, values: Sequence[str]) -> tuple[dict[str, int], int | None]:
    """``--target ID=LEVEL`` (a domain, a question or overall) and ``--target LEVEL`` (everything else)."""
    known = {d.id for d in rubric.domains} | {q.id for q in rubric.questions()} | {"overall"}
    targets: dict[str, int] = {}
    default: int | None = None
    for value in values:
        ident, sep, level = value.partition("=")
        if not sep:
            default = _level_value(rubric, ident, "--target")
            continue
        if ident not in known:
            hint = did_you_mean(ident, known)
            raise click.BadParameter(
                f"--target: no domain or question '{ident}' in {rubric.id}" + (f" ({hint})" if hint else "")
            )
        targets[ident] = _level_value(rubric, level, f"--target {ident}")
    return targets, default


def parse_what_if(rubric: Rubric, values: Sequence[str]) -> dict[str, int]:
    questions = {q.id for q in rubric.questions()}
    changes: dict[str, int] = {}
    for value in values:
        ident, sep, level = value.partition("=")
        if not sep or ident not in questions:
            hint = did_you_mean(ident, questions)
            raise click.BadParameter(
                f"--what-if: expected QUESTION=LEVEL with a question of {rubric.id}, got '{value}'"
                + (f" ({hint})" if hint else "")
            )
        changes[ident] = _level_value(rubric, level, f"--what-if {ident}")
    return changes


def score_files(
    rubric: Rubric, paths: Sequence[str], targets: Sequence[str], what_if: Sequence[str]
) -> tuple[list[Result], list[Problem]]:
    """Score every answers file; bad files give problems while the others are still scored."""
    target_map, default_target = parse_targets(rubric, targets)
    changes = parse_what_if(rubric, what_if)
    results: list[Result] = []
    problems: list[Problem] = []
    for path in answer_files(paths):
        try:
            assessment = load_assessment(path, rubric)
        except InputError as error:
            problems.extend(error.problems)
            continue
        results.append(score(rubric, assessment, targets=target_map, default_target=default_target, what_if=changes))
    return results, problems


@cli.command(name="score")
@click.argument("rubric", metavar="RUBRIC")
@click.argument("answers", nargs=-1, required=True, metavar="ANSWERS...")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="[ID=]LEVEL",
    help="Target level: ID=LEVEL for a domain, question or 'overall'; a bare LEVEL for everything else. Repeatable.",
)
@click.option(
    "--what-if",
    "what_if",
    multiple=True,
    metavar="QUESTION=LEVEL",
    help="Project the result with this question at this level. Repeatable.",
)
@click.option("--fail-under", type=int, metavar="LEVEL", help="Exit 1 when an overall level is below LEVEL.")
def score_command(
    rubric: str,
    answers: tuple[str, ...],
    fmt: str,
    targets: tuple[str, ...],
    what_if: tuple[str, ...],
    fail_under: int | None,
) -> None:
    """Score answers files (YAML or JSON; a folder means every answers file in it) against a rubric.

    Example: qimaturity score qi-readiness examples/answers/ --target 4 --what-if gov-board-agenda=4
    """
    loaded = load_rubric(rubric)
    if fail_under is not None:
        _level_value(loaded, str(fail_under), "--fail-under")
    results, problems = score_files(loaded, answers, targets, what_if)
    if fmt == "json":
        payload: Any = results[0].to_dict() if len(results) == 1 and not problems else [r.to_dict() for r in results]
        _json(payload)
    elif fmt == "csv":
        write_csv(results, sys.stdout)
    else:
        from .display import priorities_table, projection_table, result_table

        console = _console()
        for result in results:
            console.print(result_table(result))
            if result.priorities:
                console.print(priorities_table(result))
            if result.projection is not None:
                console.print(projection_table(result))
    if problems:
        _emit_problems(problems)
        sys.exit(2)
    if fail_under is not None:
        below = [r for r in results if r.overall.level is None or r.overall.level < fail_under]
        for result in below:
            click.echo(
                f"{result.organisation.name}: overall level {result.overall.level} is below --fail-under {fail_under}",
                err=True,
            )
        if below:
            sys.exit(1)


@cli.command(name="explain")
@click.argument("rubric", metavar="RUBRIC")
@click.argument("answers", metavar="ANSWERS")
@click.option("--domain", "domain_id", help="Explain one domain and its questions.")
@click.option("--question", "question_id", help="Explain one question.")
@click.option("--target", "targets", multiple=True, metavar="[ID=]LEVEL", help="As for score.")
@click.option("--what-if", "what_if", multiple=True, metavar="QUESTION=LEVEL", help="As for score.")
def explain_command(
    rubric: str,
    answers: str,
    domain_id: str | None,
    question_id: str | None,
    targets: tuple[str, ...],
    what_if: tuple[str, ...],
) -> None:
    """Explain how a result was reached: answers, rules and arithmetic, for the whole or one domain or question.

    Example: qimaturity explain qi-readiness examples/answers/riverside-community.yaml --domain leadership
    """
    from .explaining import explain

    loaded = load_rubric(rubric)
    if domain_id is not None and domain_id not in {d.id for d in loaded.domains}:
        raise click.BadParameter(f"no domain '{domain_id}' in {loaded.id}", param_hint="--domain")
    if question_id is not None and question_id not in {q.id for q in loaded.questions()}:
        raise click.BadParameter(f"no question '{question_id}' in {loaded.id}", param_hint="--question")
    results, problems = score_files(loaded, [answers], targets, what_if)
    if problems:
        raise InputError(problems)
    click.echo(explain(results[0], domain_id=domain_id, question_id=question_id), nl=False)


@cli.command(name="report")
@click.argument("rubric", metavar="RUBRIC")
@click.argument("answers", metavar="ANSWERS")
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="OUT.pdf or OUT.html"
)
@click.option("--target", "targets", multiple=True, metavar="[ID=]LEVEL", help="As for score.")
@click.option("--what-if", "what_if", multiple=True, metavar="QUESTION=LEVEL", help="Add a what-if page. As for score.")
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
    metavar="YYYY-MM-DD",
    help="Date recorded in the report and its metadata (default: SOURCE_DATE_EPOCH, else none).",
)
def report_command(
    rubric: str,
    answers: str,
    output: Path,
    targets: tuple[str, ...],
    what_if: tuple[str, ...],
    brand: Path | None,
    templates: Path | None,
    report_date: str | None,
) -> None:
    """Write a gap report for one organisation as PDF (A4, tagged) or self-contained HTML.

    Example: qimaturity report qi-readiness examples/answers/riverside-community.yaml -o out/riverside.pdf
    """
    from .branding import DEFAULT_BRAND, load_brand
    from .outputs import write_atomic
    from .rendering import generation_time, render_html, render_pdf

    suffix = output.suffix.lower()
    if suffix not in (".pdf", ".html"):
        raise click.BadParameter("the output must end in .pdf or .html", param_hint="-o/--output")
    if templates is not None and not templates.is_dir():
        raise click.BadParameter(f"no such folder: {templates}", param_hint="--templates")
    if report_date is not None:
        try:
            date.fromisoformat(report_date)
        except ValueError:
            raise click.BadParameter(
                f"'{report_date}' is not a date (YYYY-MM-DD)", param_hint="--report-date"
            ) from None
    loaded = load_rubric(rubric)
    results, problems = score_files(loaded, [answers], targets, what_if)
    if problems:
        raise InputError(problems)
    chosen = load_brand(brand) if brand is not None else DEFAULT_BRAND
    generated = generation_time(report_date)
    html = render_html(results[0], loaded, brand=chosen, templates_dir=templates, generated=generated)
    if suffix == ".html":
        write_atomic(output, html)
    else:
        allowed = (chosen.logo_path,) if chosen.logo_path else ()
        write_atomic(output, render_pdf(html, allowed_files=allowed, generated=generated))
    click.echo(str(output))


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: bad input becomes a clear message and exit code 2, never a traceback."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="qimaturity", standalone_mode=False)
    except InputError as error:
        _emit_problems(error.problems)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
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
        click.echo(
            f"qimaturity: internal error: {type(error).__name__}: {error} "
            "(please report it; set QIMATURITY_DEBUG=1 for details)",
            err=True,
        )
        sys.exit(70)
