"""Report templates treated as untrusted code: the plain data they receive, the sandbox they run in, and the
child process that bounds their time and memory.

Every template, bundled or a consultant's own (``--templates``), is rendered the same way:

- **Plain data only.** :func:`plain` turns the context into text, numbers, booleans, None, lists and dicts
  (a dataclass becomes a dict of its fields and public properties); anything else (a ``Path``, a model object
  that is not a dataclass, a callable) is refused with a ``TypeError`` naming where it sits, so a future field
  that would hand a template a live object fails in our tests, not in a user's report.
- **An allow-list sandbox.** :class:`TemplateEnvironment` lets a template read a dict's keys, call a few
  harmless methods of text, lists and dicts, and use Jinja's own machinery (macros, ``caller``, ``super()``,
  ``loop``, ``cycler``, ``joiner``, ``namespace``) and our filters; nothing else is reachable or callable.
  Repetition, powers, ``range`` and the output size are bounded.
- **A child process with hard limits.** :func:`render_template` renders in a forked child with an address-space
  limit (``resource.RLIMIT_AS``), a wall-clock limit raised as an exception at the template line that was
  running, a CPU-time backstop and a deadline after which the parent kills the child. A breach is an
  :class:`~qimaturity._core.problems.InputError` naming the template, its line and the limit. Where the system has no
  ``fork`` (Windows), the template is rendered in this process with the sandbox's own bounds only; where it has no
  ``/proc/self/statm`` (outside Linux), the memory limit is not set and the time limits still hold.
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
import json
import math
import os
import pprint
import re
import select
import signal
import textwrap
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from functools import cache
from inspect import getattr_static
from pathlib import Path
from types import BuiltinMethodType, FrameType, MethodType, TracebackType
from typing import Any

from jinja2 import (
    ChoiceLoader,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
)
from jinja2 import debug as jinja_debug
from jinja2.exceptions import SecurityError
from jinja2.filters import _GroupTuple
from jinja2.loaders import split_template_path
from jinja2.runtime import BlockReference, LoopContext, Macro, TemplateReference, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Cycler, Joiner, Namespace
from markupsafe import Markup

from qimaturity._core.dates import iso_in_words
from qimaturity._core.limits import (
    MAX_CONCATENATION,
    MAX_OUTPUT_CHARS,
    MAX_RANGE_TOTAL,
    MAX_RENDER_MEMORY,
    MAX_RENDER_SECONDS,
    MAX_SEQUENCE,
    MIB,
    RENDER_GRACE_SECONDS,
)
from qimaturity._core.numbers import decimals, fixed, given_number, percent, signed
from qimaturity._core.problems import InputError, Problem
from qimaturity._core.resources import bundled_dir

# What Jinja imports only when first needed (on a template error; the pprint, wordwrap and striptags filters),
# imported ahead so that a forked render never opens a file to import a module.
_IMPORTED_AHEAD = (jinja_debug, html, pprint, textwrap)

SECONDS_VARIABLE = "QIMATURITY_TEMPLATE_SECONDS"
"""Environment variable: the wall-clock limit of one render, in seconds (default :data:`MAX_RENDER_SECONDS`)."""
MEMORY_VARIABLE = "QIMATURITY_TEMPLATE_MEMORY_MIB"
"""Environment variable: the memory one render may add, in MiB (default :data:`MAX_RENDER_MEMORY`)."""

# ---- plain data --------------------------------------------------------------------------------------------------


def plain(value: Any, where: str = "context") -> Any:
    """``value`` as plain data for a template: str (and Markup), int, float, bool and None as they are; dicts with
    text keys; lists for lists, tuples and sets; a dataclass as a dict of its fields and public properties (less
    fields whose metadata says ``{"template": False}``); dates as ISO text. Anything else raises ``TypeError``
    naming ``where`` it was found (``context.report.domains[0]...``)."""
    kind = type(value)
    if value is None or kind in (str, Markup, bool, int, float):
        return value
    if isinstance(value, Markup):
        return Markup(value)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{where}: a key {key!r} is not text; templates get dicts with text keys only")
            out[str.__str__(key)] = plain(item, f"{where}[{key!r}]")
        return out
    if isinstance(value, list | tuple):
        return [plain(item, f"{where}[{index}]") for index, item in enumerate(value)]
    if isinstance(value, set | frozenset):
        return sorted(plain(item, f"{where}[...]") for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _template_names(kind)  # type: ignore[arg-type]  # a class is hashable
        return {name: plain(getattr(value, name), f"{where}.{name}") for name in names}
    raise TypeError(
        f"{where}: a {kind.__module__}.{kind.__qualname__} cannot be given to a template "
        "(templates get plain data only: text, numbers, booleans, None, lists and dicts)"
    )


@cache
def _template_names(kind: Any) -> tuple[str, ...]:
    fields = [f.name for f in dataclasses.fields(kind) if f.metadata.get("template", True) and f.name[:1] != "_"]
    properties = [
        name
        for name in dir(kind)
        if name[:1] != "_" and name not in fields and isinstance(getattr_static(kind, name), property)
    ]
    return (*fields, *properties)


# ---- the sandbox -------------------------------------------------------------------------------------------------

_TEXT_METHODS = frozenset(
    [
        "capitalize",
        "casefold",
        "count",
        "endswith",
        "find",
        "isalnum",
        "isalpha",
        "isdigit",
        "islower",
        "isspace",
        "istitle",
        "isupper",
        "lower",
        "lstrip",
        "replace",
        "rfind",
        "rsplit",
        "rstrip",
        "split",
        "splitlines",
        "startswith",
        "strip",
        "title",
        "upper",
    ]
)
_SEQUENCE_METHODS = frozenset(["count", "index"])
_SAFE_ATTRIBUTES: Mapping[type, frozenset[str]] = {
    str: _TEXT_METHODS,
    Markup: _TEXT_METHODS,
    dict: frozenset(["get", "items", "keys", "values"]),
    list: _SEQUENCE_METHODS,
    tuple: _SEQUENCE_METHODS,
    _GroupTuple: _SEQUENCE_METHODS | {"grouper", "list"},
    LoopContext: frozenset(
        [
            "changed",
            "cycle",
            "depth",
            "depth0",
            "first",
            "index",
            "index0",
            "last",
            "length",
            "nextitem",
            "previtem",
            "revindex",
            "revindex0",
        ]
    ),
    Cycler: frozenset(["current", "next", "reset"]),
    BlockReference: frozenset(["super"]),
}
"""What a template may read or call on each kind of value, by exact type; nothing on any other type."""
_NEVER = frozenset(["format", "format_map", "mro"])


class TemplateLimitError(SecurityError):
    """A template tried to build something far larger than any report needs."""


class TemplateEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox turned into an allow-list, with bounds on what a template can build."""

    intercepted_binops = frozenset(["*", "**", "+"])

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.range_used = 0
        self.globals.clear()
        self.globals.update(range=self.bounded_range, dict=dict, cycler=Cycler, joiner=Joiner, namespace=Namespace)
        self._callable_globals = (self.globals["range"], dict, Cycler, Joiner, Namespace)

    def bounded_range(self, *args: int) -> range:
        numbers = range(*args)
        self.range_used += len(numbers)
        if self.range_used > MAX_RANGE_TOTAL:
            raise TemplateLimitError(f"range() over {MAX_RANGE_TOTAL:,} numbers in one report")
        return numbers

    def is_safe_attribute(self, obj: Any, attr: str, value: Any = None) -> bool:
        if attr[:1] == "_" or attr in _NEVER:
            return False
        if type(obj) is Namespace:
            return True  # its attributes are what the template itself stored in it
        return attr in _SAFE_ATTRIBUTES.get(type(obj), ())

    def is_safe_callable(self, obj: Any) -> bool:
        if isinstance(obj, Macro | BlockReference | LoopContext | Joiner | Undefined):
            return True  # calling an Undefined raises its own clear error
        if any(obj is known for known in self._callable_globals):
            return True
        if isinstance(obj, BuiltinMethodType | MethodType):
            owner = getattr(obj, "__self__", None)
            return owner is not None and self.is_safe_attribute(owner, obj.__name__)
        return False

    def getattr(self, obj: Any, attribute: str) -> Any:
        # A dict's key wins over its methods: templates read fields as `m.values`, `bands.items`.
        if type(obj) is dict:
            if attribute in obj:
                return obj[attribute]
        elif type(obj) is TemplateReference:  # `self.block_name`
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        elif isinstance(obj, Undefined):
            obj._fail_with_undefined_error()  # the first undefined step is the one to report
        try:
            getattr_static(obj, attribute)
        except AttributeError:
            if type(obj) is not Namespace:
                return self.undefined(obj=obj, name=attribute)
        if not self.is_safe_attribute(obj, attribute):
            return self.unsafe_undefined(obj, attribute)
        try:
            return getattr(obj, attribute)
        except AttributeError:
            return self.undefined(obj=obj, name=attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, Undefined):
            return obj[argument]
        if type(obj) is dict:
            try:
                return obj[argument]
            except (TypeError, LookupError):
                return self.undefined(obj=obj, name=argument)
        if type(obj) in (str, Markup, list, tuple, range, _GroupTuple, TemplateReference):
            try:
                return obj[argument]
            except (TypeError, LookupError):
                pass
        if isinstance(argument, str):
            return self.getattr(obj, argument)
        return self.undefined(obj=obj, name=argument)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            raise TemplateLimitError("the power operator is not allowed in report templates")
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                if (
                    isinstance(sequence, str | list | tuple)
                    and isinstance(count, int)
                    and len(sequence) * count > MAX_SEQUENCE
                ):
                    raise TemplateLimitError(f"repetition builds more than {MAX_SEQUENCE:,} items")
        sequences = isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple)
        if operator == "+" and sequences and len(left) + len(right) > MAX_CONCATENATION:
            raise TemplateLimitError(f"concatenation builds more than {MAX_CONCATENATION:,} items")
        return super().call_binop(context, operator, left, right)


class FolderLoader(FileSystemLoader):
    """Templates from one folder and nothing outside it: a symbolic link that leads out is not followed."""

    def __init__(self, folder: Path):
        super().__init__(str(folder))
        self.root = os.path.realpath(folder)

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Any]:
        candidate = os.path.join(self.root, *split_template_path(template))
        real = os.path.realpath(candidate)
        if os.path.commonpath([real, self.root]) != self.root:
            raise TemplateNotFound(template, f"{template} leads outside the templates folder")
        return super().get_source(environment, template)


def number_text(value: float | None, places: int = 2) -> str:
    """The ``number`` filter: at most ``places`` decimals, no trailing zeros, "-" for none."""
    return "-" if value is None else decimals(value, places)


def percent_text(value: float | None) -> str:
    """The ``percent`` filter: a share as a whole percentage, "-" for none."""
    return "-" if value is None else percent(value)


def signed_text(value: float | None, places: int = 2) -> str:
    """The ``signed`` filter: a change with its sign and ``places`` decimals (+0.25, -1.50, 0.00), "-" for none."""
    return "-" if value is None else signed(value, places)


def fixed_text(value: float | None, places: int = 2) -> str:
    """The ``fixed`` filter: exactly ``places`` decimals (2.40), "-" for none, so that a column of values lines up."""
    return "-" if value is None else fixed(value, places)


def long_date_text(value: str | None) -> str:
    """The ``long_date`` filter: an ISO date as the NHS writes it (``30 September 2026``), "-" for none; text that
    is not a date is kept."""
    return "-" if not value else iso_in_words(value)


_CHART_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.S)


def chart_title(svg: str) -> str:
    """The ``chart_title`` filter: the title of a chart (the first ``<title>`` in its SVG, as plain text), to name
    the figure that holds it ("" when there is none)."""
    found = _CHART_TITLE.search(str(svg))
    return html.unescape(found.group(1)).strip() if found else ""


def environment(templates_dir: Path | None = None) -> TemplateEnvironment:
    """The sandboxed template environment; a user's folder comes first, the bundled templates stay reachable as
    ``bundled/NAME`` so that a custom template can extend them and override their blocks."""
    bundled = FolderLoader(bundled_dir("reports"))
    loaders: list[Any] = []
    if templates_dir is not None:
        loaders.append(FolderLoader(templates_dir))
    loaders.extend([bundled, PrefixLoader({"bundled": bundled})])
    env = TemplateEnvironment(
        loader=ChoiceLoader(loaders), autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )
    env.filters["number"] = number_text
    env.filters["percent"] = percent_text
    env.filters["signed"] = signed_text
    env.filters["fixed"] = fixed_text
    env.filters["long_date"] = long_date_text
    env.filters["chart_title"] = chart_title
    return env


# Per thread: a forked child must never meet a cache lock that another thread of its parent held.
_BUNDLED = threading.local()


def _environment_for(templates_dir: Path | None) -> TemplateEnvironment:
    """A fresh environment for a templates folder; for the bundled templates alone, one per thread with every
    template compiled once (they are ours, so they are compiled here, before any child is forked)."""
    if templates_dir is not None:
        return environment(templates_dir)
    env: TemplateEnvironment | None = getattr(_BUNDLED, "env", None)
    if env is None:
        env = environment()
        for name in env.list_templates(filter_func=lambda name: "/" not in name and name.endswith(".j2")):
            env.get_template(name)
        _BUNDLED.env = env
    env.range_used = 0
    return env


# ---- rendering within limits ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RenderLimits:
    """How long one render may run and how much memory it may add (see ``qimaturity/_core/limits.py``)."""

    seconds: float = MAX_RENDER_SECONDS
    memory: int = MAX_RENDER_MEMORY

    @classmethod
    def from_environment(cls) -> RenderLimits:
        """The defaults, or the operator's own from ``QIMATURITY_TEMPLATE_SECONDS`` and
        ``QIMATURITY_TEMPLATE_MEMORY_MIB``."""
        seconds = _positive(SECONDS_VARIABLE, MAX_RENDER_SECONDS)
        memory = _positive(MEMORY_VARIABLE, MAX_RENDER_MEMORY / MIB)
        return cls(seconds, int(memory * MIB))

    def describe_memory(self) -> str:
        return f"{given_number(self.memory / MIB)} MiB"

    def describe_seconds(self) -> str:
        return f"{given_number(self.seconds)} s"


def _positive(name: str, default: float) -> float:
    text = os.environ.get(name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise InputError.single(name, f"'{text}' is not a positive number", "unset it or give e.g. 20")
    return value


class TemplateTimeout(Exception):
    """The render ran past its wall-clock limit."""


def render_template(
    name: str,
    context: Mapping[str, Any],
    *,
    templates_dir: Path | None = None,
    stylesheet: str | None = None,
    limits: RenderLimits | None = None,
    isolated: bool | None = None,
) -> str:
    """Render template ``name`` with ``context`` (made plain first) and return the HTML.

    With ``stylesheet``, the template also gets ``css``: that file's text as found through the same loaders (so a
    templates folder may bring its own). The render runs in a forked child process under ``limits`` (by default
    :meth:`RenderLimits.from_environment`) unless ``isolated`` is False or the system has no ``fork``. Any problem
    with the template (a syntax error, a refused attribute, a limit) is an :class:`InputError` with the template's
    file and line.
    """
    data = plain(context)
    chosen = limits or RenderLimits.from_environment()
    where = str(templates_dir or bundled_dir("reports"))
    if isolated is None:
        isolated = hasattr(os, "fork")
    env = _environment_for(templates_dir)
    if not isolated:
        return _render_here(env, name, data, stylesheet, chosen, where)
    return _render_in_child(env, name, data, stylesheet, chosen, where)


def _render_here(
    env: TemplateEnvironment, name: str, data: dict[str, Any], stylesheet: str | None, limits: RenderLimits, where: str
) -> str:
    generator: Iterator[str] | None = None
    try:
        template = env.get_template(name)
        if stylesheet is not None:
            assert env.loader is not None
            data = {**data, "css": Markup(env.loader.get_source(env, stylesheet)[0])}
        generator = template.generate(**data)
        return "".join(_bounded(generator))
    except MemoryError as error:
        what = f"used more than {limits.describe_memory()} of memory"
        raise InputError([_limit_problem(error, generator, where, what)]) from None
    except TemplateTimeout as error:
        what = f"ran for more than {limits.describe_seconds()}"
        raise InputError([_limit_problem(error, generator, where, what)]) from None
    except Exception as error:
        problem = _template_problem(error, generator, where)
        if problem is None:
            raise
        raise InputError([problem]) from None


def _bounded(chunks: Iterator[str]) -> Iterator[str]:
    size = 0
    for chunk in chunks:
        if not isinstance(chunk, str):  # a {% filter %} block yields its result as it is
            chunk = str(chunk)
        size += len(chunk)
        if size > MAX_OUTPUT_CHARS:
            raise TemplateLimitError(f"the report would be over {MAX_OUTPUT_CHARS:,} characters")
        yield chunk


_TEMPLATE_ERRORS = (TemplateError, RecursionError, TypeError, ValueError, AttributeError, KeyError, ArithmeticError)


def _template_problem(error: BaseException, generator: Iterator[str] | None, fallback: str) -> Problem | None:
    """The problem to report for an error raised while rendering, placed at the template line that was running;
    None for an error that is no fault of the template (a bug of ours)."""
    if isinstance(error, TemplateSyntaxError):
        file = error.filename or error.name or fallback
        return Problem(file, error.lineno, None, "/", error.message or str(error), "fix the template")
    place = _place(error, generator)
    if isinstance(error, TemplateNotFound):  # from an include, import or extends: at that line
        file, line = place if place is not None else (fallback, None)
        message = f"template not found: {error.message or error.name}"
        return Problem(file, line, None, "/", message, "check the name and the --templates folder")
    if place is None and not isinstance(error, _TEMPLATE_ERRORS):
        return None
    file, line = place if place is not None else (fallback, None)
    hint = (
        "templates may use the report's data and filters, nothing else"
        if isinstance(error, SecurityError)
        else "fix the template"
    )
    return Problem(file, line, None, "/", f"template error: {error}", hint)


def _limit_problem(error: BaseException, generator: Iterator[str] | None, fallback: str, what: str) -> Problem:
    """A render that hit a hard limit, placed at the template line that was running when it did."""
    file, line = _place(error, generator) or (fallback, None)
    hint = "simplify the template: it must not loop or build text without bound"
    return Problem(file, line, None, "/", f"the template {what}", hint)


def _place(error: BaseException, generator: Iterator[str] | None) -> tuple[str, int] | None:
    """Where in which template the error happened: the innermost template frame of its traceback or, for an
    error raised on what the template yielded, the line where the template is paused."""
    return _template_line(error.__traceback__) or _paused_line(generator)


def _paused_line(generator: Any) -> tuple[str, int] | None:
    found = None
    while generator is not None:
        frame = getattr(generator, "gi_frame", None)
        if frame is not None:
            found = _frame_place(frame, frame.f_lineno) or found
        generator = getattr(generator, "gi_yieldfrom", None)
    return found


def _template_line(tb: TracebackType | None) -> tuple[str, int] | None:
    """The template file and line of the innermost template frame, without reading any file."""
    found: tuple[str, int] | None = None
    for frame, line in traceback.walk_tb(tb):
        place = _frame_place(frame, line)
        if place is not None:
            found = place
    return found


def _frame_place(frame: FrameType, line: int) -> tuple[str, int] | None:
    template = frame.f_globals.get("__jinja_template__")
    if template is not None:  # compiled template code, not yet mapped to template lines
        return template.filename or template.name, template.get_corresponding_lineno(line)
    filename = frame.f_code.co_filename
    if filename.endswith(".py") or filename.startswith("<"):
        return None
    return filename, line  # a frame Jinja rewrote to point at the template


def _render_in_child(
    env: TemplateEnvironment, name: str, data: dict[str, Any], stylesheet: str | None, limits: RenderLimits, where: str
) -> str:
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: render, answer through the pipe, and leave without running any exit handler
        try:
            os.close(reader)
            _child(writer, env, name, data, stylesheet, limits, where)
        finally:
            os._exit(0)
    os.close(writer)
    try:
        answer, status = _collect(reader, pid, limits.seconds + RENDER_GRACE_SECONDS)
    except TemplateLimitError as error:
        raise InputError([Problem(where, None, None, "/", f"template error: {error}", "fix the template")]) from None
    finally:
        os.close(reader)
    return _answer(answer, status, limits, where)


def _child(
    writer: int,
    env: TemplateEnvironment,
    name: str,
    data: dict[str, Any],
    stylesheet: str | None,
    limits: RenderLimits,
    where: str,
) -> None:
    try:
        lift = _limit_child(limits)
        try:
            kind, payload = b"H", _render_here(env, name, data, stylesheet, limits, where)
        finally:
            lift()
    except InputError as error:
        kind, payload = b"P", json.dumps([p.to_dict() for p in error.problems])
    except TemplateTimeout:  # it struck while an error was being reported
        problem = _limit_problem(TemplateTimeout(), None, where, f"ran for more than {limits.describe_seconds()}")
        kind, payload = b"P", json.dumps([problem.to_dict()])
    except BaseException as error:
        kind, payload = b"X", f"{type(error).__name__}: {error}"
    _send(writer, kind + payload.encode("utf-8", "surrogatepass"))


def _limit_child(limits: RenderLimits) -> Callable[[], None]:
    """Put the limits on this (child) process; return a function that lifts the time and memory limits again, so
    that the answer can be sent whatever happened."""
    import resource

    active = True

    def timeout(signum: int, frame: FrameType | None) -> None:
        # Raised again every second until the render ends, in case something swallowed it.
        if active:
            raise TemplateTimeout()

    signal.signal(signal.SIGALRM, timeout)
    signal.setitimer(signal.ITIMER_REAL, limits.seconds, 1.0)
    # A child killed for CPU time must not leave a core file behind.
    resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))
    _, hard_cpu = resource.getrlimit(resource.RLIMIT_CPU)
    used = resource.getrusage(resource.RUSAGE_SELF)
    backstop = math.ceil(used.ru_utime + used.ru_stime + limits.seconds + RENDER_GRACE_SECONDS)
    if hard_cpu == resource.RLIM_INFINITY or backstop < hard_cpu:
        resource.setrlimit(resource.RLIMIT_CPU, (backstop, hard_cpu))
    soft_as, hard_as = resource.getrlimit(resource.RLIMIT_AS)
    size = _address_space()
    if size is not None:
        wanted = size + limits.memory
        if hard_as != resource.RLIM_INFINITY:
            wanted = min(wanted, hard_as)
        # Where the system refuses it, the time limits still hold.
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (wanted, hard_as))

    def lift() -> None:
        nonlocal active
        active = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (soft_as, hard_as))

    return lift


def _address_space() -> int | None:
    """This process's address-space size in bytes (what RLIMIT_AS counts), where /proc tells it."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            pages = int(statm.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


def _send(writer: int, message: bytes) -> None:
    view = memoryview(message)
    while view:
        written = os.write(writer, view)
        view = view[written:]
    os.close(writer)


# The most the parent reads from a child: the largest output allowed, in UTF-8, and some room.
_MAX_ANSWER_BYTES = 4 * MAX_OUTPUT_CHARS + MIB


def _collect(reader: int, pid: int, seconds: float) -> tuple[bytes, int | None]:
    """Read the child's answer until it closes the pipe, then reap it. At the deadline (or if it sends more than
    any answer can be) the child is killed and the status is None."""
    deadline = time.monotonic() + seconds
    chunks: list[bytes] = []
    size = 0
    poller = select.poll()
    poller.register(reader, select.POLLIN)
    try:
        while (remaining := deadline - time.monotonic()) > 0 and size <= _MAX_ANSWER_BYTES:
            if not poller.poll(max(1, math.ceil(remaining * 1000))):
                continue
            chunk = os.read(reader, MIB)
            if not chunk:
                status = _wait(pid, deadline)
                if status is not None:
                    return b"".join(chunks), status
                break
            chunks.append(chunk)
            size += len(chunk)
    except BaseException:
        _kill(pid)
        raise
    _kill(pid)
    if size > _MAX_ANSWER_BYTES:
        raise TemplateLimitError(f"the report would be over {MAX_OUTPUT_CHARS:,} characters")
    return b"".join(chunks), None


def _wait(pid: int, deadline: float) -> int | None:
    """The child's wait status once it has ended (it does so right after answering); None at the deadline."""
    while True:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # reaped elsewhere (SIGCHLD ignored): nothing more to learn
            return 0
        if done:
            return status
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.002)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def _answer(answer: bytes, status: int | None, limits: RenderLimits, where: str) -> str:
    kind, payload = answer[:1], answer[1:].decode("utf-8", "surrogatepass")
    if kind == b"H":
        return payload
    if kind == b"P":
        raise InputError([Problem(**problem) for problem in json.loads(payload)])
    if kind == b"X":
        raise RuntimeError(f"rendering failed: {payload}")
    cpu = status is not None and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU
    if status is None or cpu:  # killed by the parent at its deadline, or by the CPU-time backstop
        message = f"the template ran for more than {limits.describe_seconds()}"
    else:
        message = (
            f"rendering {_ending(status)} before it finished; a template may use {limits.describe_memory()} of"
            f" memory and run for {limits.describe_seconds()}"
        )
    raise InputError([Problem(where, None, None, "/", message, "simplify the template")])


def _ending(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            return f"was stopped by {signal.Signals(number).name}"
        except ValueError:
            return f"was stopped by signal {number}"
    return f"ended with code {os.waitstatus_to_exitcode(status)}"
