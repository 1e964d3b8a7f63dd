"""The ``qimaturity`` command: a thin shell over the public API.

Exit codes: 0 success; 1 the run worked but a requested threshold failed; 2 bad input or usage.
Machine-readable output (``--format json``) goes to stdout; messages go to stderr.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from . import __version__
from .problems import InputError, Problem
from .rubric import bundled_rubrics, check_rubric, load_rubric, rubric_from_document


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
