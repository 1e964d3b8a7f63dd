"""The command line's argument types: each turns what was typed into the value the Python API takes, or says why
it cannot ("Invalid value for '--target': ...", exit code 2).

An id the rubric does not hold (a question, a domain, a group, a level) is refused in one line that names the
closest one ("no question 'lead-role-model' in rubric qi-readiness; did you mean 'lead-role-models'?"), worded
by :class:`~qimaturity.rubric.model.UnknownIdError`, whose suggestion is the rubric validator's
(:func:`~qimaturity.rubric.checks.did_you_mean`).

Values checked against the rubric (targets, what-ifs, levels) need it first: a command that has them takes its
RUBRIC argument eagerly (``is_eager=True``), so that click reads it before any option, whatever their order on the
command line; :func:`rubric_of` then finds it, loaded once.

A rubric id is looked up in the folders of ``--rubric-path`` (and of QIMATURITY_RUBRIC_PATH), which may come after
RUBRIC on the command line: the RUBRIC argument is read as text (:data:`RUBRIC_REF`) and loaded when first needed,
by a value checked against it (options are read after every eager parameter, ``--rubric-path`` included) or by the
command itself (:func:`load_rubric_argument`, before the command runs).

Shell completion (click's ``_QIMATURITY_COMPLETE``, see the README) offers rubric ids (:func:`complete_rubric`: the
file names on the search path, read without loading a rubric), the question, domain and group ids of the RUBRIC
already typed (:func:`complete_question`, :func:`complete_domain`, :func:`complete_group`) and file names
(:func:`complete_path`, and click's own for ``click.Path``). A completion never fails: whatever goes wrong (a
rubric that does not load, a folder that cannot be read), it offers nothing, and prints nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.shell_completion import CompletionItem

from qimaturity._core.problems import InputError, OptionError, shown_text
from qimaturity.rubric.checks import did_you_mean
from qimaturity.rubric.load import load_rubric
from qimaturity.rubric.model import Rubric, UnknownIdError

_LOADED = "qimaturity.rubric"

if TYPE_CHECKING:
    from click import ParamType as _ParamType  # generic in its converted value's type since click 8.4
else:

    class _ParamType(click.ParamType):
        """click.ParamType, subscriptable as a type (``_ParamType[date]``) on every click version we support."""

        def __class_getitem__(cls, item: Any) -> type:
            return cls


_SEARCH_PATH = "qimaturity.rubric_path"


def search_path_of(ctx: click.Context | None) -> tuple[Path, ...]:
    """The folders of the command's ``--rubric-path`` options (none when it has none)."""
    if ctx is None:
        return ()
    return tuple(ctx.meta.get(_SEARCH_PATH) or ())


def rubric_path_option(command: Any) -> Any:
    """The ``--rubric-path DIR`` option (repeatable) of every command that takes a rubric. It is read before any
    other option (eager) and kept for :func:`search_path_of`, not handed to the command."""

    def keep(ctx: click.Context, param: click.Parameter, value: tuple[Path, ...]) -> tuple[Path, ...]:
        ctx.meta[_SEARCH_PATH] = value
        return value

    return click.option(
        "--rubric-path",
        "rubric_path",
        multiple=True,
        is_eager=True,
        expose_value=False,
        callback=keep,
        metavar="DIR",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="A folder of rubrics: a RUBRIC id is looked up in it, then in the folders of QIMATURITY_RUBRIC_PATH, "
        "then among the bundled rubrics (an id found twice is refused). Repeatable.",
    )(command)


def rubric_of(ctx: click.Context) -> Rubric:
    """The command's RUBRIC, loaded (once: a bad one raises :class:`InputError`, which the command reports)."""
    value = ctx.params.get("rubric")
    if isinstance(value, Rubric):
        return value
    if value is None:
        raise RuntimeError("an option is checked against RUBRIC before it is read: make RUBRIC eager")
    loaded: tuple[str, Rubric] | None = ctx.meta.get(_LOADED)
    if loaded is None or loaded[0] != value:
        loaded = ctx.meta[_LOADED] = (value, load_rubric(value, search_path=search_path_of(ctx)))
    return loaded[1]


def load_rubric_argument(ctx: click.Context) -> None:
    """Before a command runs: its RUBRIC argument read as text (:data:`RUBRIC_REF`) becomes the rubric."""
    for param in ctx.command.params:
        wanted = param.name == "rubric" and isinstance(param.type, RubricRefType) and param.type.load
        if wanted and isinstance(ctx.params.get("rubric"), str):
            ctx.params["rubric"] = rubric_of(ctx)


# ---- Shell completion ----------------------------------------------------------------------------------------


def _offered(incomplete: str, found: Callable[[], Iterable[tuple[str, str | None]]]) -> list[CompletionItem]:
    """The ``(value, help)`` pairs ``found()`` gives that start with ``incomplete``; none when it fails."""
    try:
        return [CompletionItem(value, help=help) for value, help in found() if value.startswith(incomplete)]
    except Exception:  # a completion offers nothing rather than print an error in the middle of a command line
        return []


def complete_path(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """File names, completed by the shell itself (as for a ``click.Path``)."""
    return [CompletionItem(incomplete, type="file")]


def complete_rubric(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The rubric ids on the search path (``--rubric-path`` typed before, QIMATURITY_RUBRIC_PATH, the bundled
    rubrics), and file names: a rubric may be given by its path. The ids are the files' names: no rubric is read,
    so that completion stays fast with a folder of many."""
    from qimaturity.rubric.search import rubric_files, rubric_search_path

    def ids() -> list[tuple[str, str | None]]:
        files, _ = rubric_files(rubric_search_path(search_path_of(ctx)))
        return [(ident, None) for ident in sorted({file.id for file in files})]

    # The file item first: bash's script empties what came before it, and lists file names only when no id fits.
    return [CompletionItem(incomplete, type="file"), *_offered(incomplete, ids)]


def _short(text: str) -> str:
    """A title as one line of a completion's help (zsh and fish read one line a candidate): whitespace runs, line
    breaks included, as one space, cut at 60 characters."""
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:59] + "…"


def complete_question(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The question ids of the RUBRIC typed, each with its short title (shown by zsh and fish)."""
    return _offered(incomplete, lambda: ((q.id, _short(q.short_title or q.text)) for q in rubric_of(ctx).questions()))


def complete_domain(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The domain ids of the RUBRIC typed, each with its title."""
    return _offered(incomplete, lambda: ((d.id, _short(d.title)) for d in rubric_of(ctx).domains))


def complete_group(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The respondent group ids of the RUBRIC typed, each with its name."""
    return _offered(incomplete, lambda: ((g.id, _short(g.name)) for g in rubric_of(ctx).respondent_groups))


# ---- Types ---------------------------------------------------------------------------------------------------


class RubricType(_ParamType[Rubric]):
    """A rubric, by id or path, loaded and validated; an id is looked up on the command's ``--rubric-path`` first.
    For options only (read after ``--rubric-path``): the RUBRIC argument is :data:`RUBRIC_REF`."""

    name = "rubric"

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        return complete_rubric(ctx, param, incomplete)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Rubric:
        return value if isinstance(value, Rubric) else load_rubric(value, search_path=search_path_of(ctx))


class RubricRefType(_ParamType[Any]):
    """The RUBRIC argument: an id or a path, kept as text until ``--rubric-path`` is read; then loaded (``load``)
    before the command runs, or left as text for a command that hands it on (``batch``)."""

    name = "rubric"

    def __init__(self, *, load: bool = True):
        self.load = load

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        return complete_rubric(ctx, param, incomplete)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return value


class OneLineError(click.BadParameter):
    """A bad option value said in one line ("Error: Invalid value for '--question': ..."), without click's usage
    lines: the message names what to type instead. Every argument type here fails with it."""

    def show(self, file: Any = None) -> None:
        click.echo(f"Error: {self.format_message()}", file=file, err=True)


def unknown_id(kind: str, ident: str, rubric: Rubric, choices: Sequence[str]) -> str:
    """How an id the rubric lacks is refused: ``no question 'x' in rubric R; did you mean 'y'?``; without a close
    one, the ids themselves when they are few (as :class:`UnknownIdError` lists them), else where to see them."""
    message = str(UnknownIdError(kind, ident, f"rubric {rubric.id}", choices))
    if len(choices) > 10 and not did_you_mean(ident, choices):
        message += " (qimaturity show RUBRIC lists them)"
    return message


def parse_level(text: str, rubric: Rubric) -> int:
    """A level of the rubric's scale, by value or by name in any case (``--fail-under 3``, ``--fail-under
    embedded``); ValueError saying why not."""
    for level in rubric.levels:
        if text.strip() == str(level.value) or text.strip().casefold() == level.name.casefold():
            return level.value
    hint = did_you_mean(text.strip(), [level.name for level in rubric.levels])
    levels = ", ".join(f"{level.value} ({level.name})" for level in rubric.levels)
    said = f"{shown_text(text)} is not a level of {rubric.id}"
    raise ValueError(said + (f"; {hint}" if hint else f" (levels are {levels})"))


def parse_question(text: str, rubric: Rubric) -> str:
    """A question id of the rubric (``--question``)."""
    questions = [q.id for q in rubric.questions()]
    if text not in questions:
        raise ValueError(unknown_id("question", text, rubric, questions))
    return text


def parse_domain(text: str, rubric: Rubric) -> str:
    """A domain id of the rubric (``--domain``)."""
    domains = [d.id for d in rubric.domains]
    if text not in domains:
        raise ValueError(unknown_id("domain", text, rubric, domains))
    return text


def parse_group(text: str, rubric: Rubric) -> str:
    """A respondent group of the rubric, by id or name as :func:`~qimaturity.rubric.forms.find_group` takes it
    (``--group``); kept as typed, for the API to find it again."""
    from qimaturity.rubric.forms import find_group

    try:
        find_group(rubric, text)
    except InputError:
        groups = [g.id for g in rubric.respondent_groups]
        if not groups:
            raise ValueError(f"rubric {rubric.id} defines no respondent groups: leave --group out") from None
        raise ValueError(unknown_id("group", text, rubric, groups)) from None
    return text


def parse_target(text: str, rubric: Rubric) -> tuple[str | None, int]:
    """``ID=LEVEL`` (a domain, a question or ``overall``) as ``(ID, LEVEL)``; a bare ``LEVEL`` (every other
    target) as ``(None, LEVEL)``."""
    ident, sep, level = text.partition("=")
    if not sep:
        return None, parse_level(ident, rubric)
    known = [d.id for d in rubric.domains] + [q.id for q in rubric.questions()] + ["overall"]
    if ident not in known:
        raise ValueError(unknown_id("domain or question", ident, rubric, known))
    try:
        return ident, parse_level(level, rubric)
    except ValueError as error:
        raise ValueError(f"{ident}: {error}") from None


def parse_what_if(text: str, rubric: Rubric) -> tuple[str, int]:
    """``QUESTION=LEVEL`` as ``(QUESTION, LEVEL)``."""
    questions = [q.id for q in rubric.questions()]
    ident, sep, level = text.partition("=")
    if not sep:
        raise ValueError(f"expected QUESTION=LEVEL with a question of {rubric.id}, got '{text}'")
    if ident not in questions:
        raise ValueError(unknown_id("question", ident, rubric, questions))
    try:
        return ident, parse_level(level, rubric)
    except ValueError as error:
        raise ValueError(f"{ident}: {error}") from None


class RubricValueType(_ParamType[Any]):
    """A value checked against the command's rubric by ``parse(text, rubric)``, which raises ValueError saying
    what is wrong."""

    def __init__(self, name: str, parse: Callable[[str, Rubric], Any]):
        self.name = name
        self.parse = parse

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value  # already converted (a default, or a value given from Python)
        if ctx is None:
            raise RuntimeError(f"{self.name} needs the command's context, for its rubric")
        try:
            return self.parse(value, rubric_of(ctx))
        except ValueError as error:
            raise OneLineError(str(error), ctx=ctx, param=param) from None


def targets_of(values: Sequence[tuple[str | None, int]]) -> tuple[dict[str, int], int | None]:
    """``--target`` values as the API takes them: targets by id, and the default target (the last bare level)."""
    targets: dict[str, int] = {}
    default: int | None = None
    for ident, level in values:
        if ident is None:
            default = level
        else:
            targets[ident] = level
    return targets, default


class DateType(_ParamType[date]):
    """A date written YYYY-MM-DD (ISO 8601)."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise OneLineError(f"'{value}' is not a date (YYYY-MM-DD)", ctx=ctx, param=param) from None


class FormatsType(_ParamType[tuple[str, ...]]):
    """Comma-separated batch outputs (``pdf,html,json``) as a tuple, each once."""

    name = "formats"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[str, ...]:
        from qimaturity.batch.run import parse_formats

        try:
            return parse_formats(value)
        except OptionError as error:
            raise OneLineError(str(error), ctx=ctx, param=param) from None


RUBRIC = RubricType()
RUBRIC_REF = RubricRefType()
RUBRIC_NAME = RubricRefType(load=False)
LEVEL = RubricValueType("level", parse_level)
TARGET = RubricValueType("target", parse_target)
WHAT_IF = RubricValueType("what-if", parse_what_if)
QUESTION = RubricValueType("question", parse_question)
DOMAIN = RubricValueType("domain", parse_domain)
GROUP = RubricValueType("group", parse_group)
DATE = DateType()
FORMATS = FormatsType()
