"""A small, safe expression language for rules the declared forms cannot say.

Text is parsed with :func:`ast.parse` and accepted only if every node is on a short whitelist: numbers, strings,
``and``/``or``/``not``, comparisons, ``+ - * /``, the names ``value`` and ``level``, and calls of registered
functions with positional arguments. Attribute access, subscripts, comprehensions, lambdas, keyword arguments,
powers and everything else are refused when the rubric is validated. Accepted text is compiled into a tree of
closures; nothing is ever passed to Python's ``eval``.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

MAX_LENGTH = 2000

ArgKind = Literal["question", "domain", "level", "number"]


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    args: tuple[ArgKind, ...]
    variadic: bool = False
    doc: str = ""


FUNCTIONS: dict[str, FunctionSpec] = {
    spec.name: spec
    for spec in (
        FunctionSpec("question", ("question",), doc="value of a question (after combining respondents)"),
        FunctionSpec("question_level", ("question",), doc="level of a question"),
        FunctionSpec("domain", ("domain",), doc="value of a domain"),
        FunctionSpec("domain_level", ("domain",), doc="level of a domain"),
        FunctionSpec("count_domains_below", ("level",), doc="number of domains whose level is below L"),
        FunctionSpec("count_domains_at", ("level",), doc="number of domains whose level is exactly L"),
        FunctionSpec("count_domains_at_least", ("level",), doc="number of domains at level L or above"),
        FunctionSpec("count_questions_below", ("level",), doc="number of questions in scope below level L"),
        FunctionSpec("min", ("number",), variadic=True, doc="smallest of its arguments"),
        FunctionSpec("max", ("number",), variadic=True, doc="largest of its arguments"),
        FunctionSpec("abs", ("number",), doc="absolute value"),
    )
}

NAMES: dict[str, str] = {
    "value": "the value of the domain or overall result the rule applies to",
    "level": "the level of the domain or overall result the rule applies to",
}

_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


def _numeric(op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    # Arithmetic on numbers only: "'x' * 10000000" must not build a huge string.
    def apply(left: Any, right: Any) -> Any:
        if not (isinstance(left, int | float) and isinstance(right, int | float)):
            raise TypeError("arithmetic needs numbers")
        return op(left, right)

    return apply


_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: _numeric(operator.add),
    ast.Sub: _numeric(operator.sub),
    ast.Mult: _numeric(operator.mul),
    ast.Div: _numeric(operator.truediv),
}
_SYMBOL = {
    ast.Pow: "**",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
}
_COMPARISON_WORDS = {ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not"}


@dataclass(frozen=True)
class ExpressionIssue:
    """A reason an expression is refused, with its 1-based character position in the text."""

    message: str
    offset: int
    hint: str = ""


@dataclass(frozen=True)
class Reference:
    """A question or domain id named by an expression (checked against the rubric)."""

    kind: Literal["question", "domain", "level"]
    value: Any
    offset: int


class EvaluationError(Exception):
    """An expression could not be evaluated with the given inputs (division by zero, an N/A value, ...)."""


class Context:
    """What an expression can see when evaluated: names and the functions' data. Scoring supplies one."""

    def __init__(self, names: Mapping[str, Any], functions: Mapping[str, Callable[..., Any]]):
        self.names = names
        self.functions = functions


Evaluator = Callable[[Context], Any]


@dataclass(frozen=True)
class Expression:
    """A checked expression: its text, the ids it references and a compiled evaluator. Two expressions of the same
    text are equal (the evaluator is compiled anew for each, so a rubric loaded twice equals itself)."""

    text: str
    references: tuple[Reference, ...]
    evaluator: Evaluator = field(compare=False, repr=False)

    def evaluate(self, context: Context) -> Any:
        try:
            return self.evaluator(context)
        except ZeroDivisionError:
            raise EvaluationError(f"division by zero in {self.text!r}") from None
        except TypeError as exc:
            raise EvaluationError(f"cannot evaluate {self.text!r}: {exc}") from None


def parse_expression(text: str) -> tuple[Expression | None, list[ExpressionIssue]]:
    """Parse and check ``text``; return the expression, or ``None`` and every issue found.

    Each issue's offset is the 1-based position, in ``text`` as given, of the character it is about: the
    operator refused, the unknown name, the place where the text stops making sense. A line break counts as a
    space (ids never hold one), so that an expression may run over several lines of a YAML block."""
    if len(text) > MAX_LENGTH:
        return None, [ExpressionIssue(f"expression longer than {MAX_LENGTH} characters", 1)]
    # One character for one, so that offsets in the parsed text are offsets in the given one.
    body = text.replace("\r", " ").replace("\n", " ")
    lead = len(body) - len(body.lstrip())
    places = _Places(body, lead)
    try:
        tree = ast.parse(body.strip(), mode="eval")
    except SyntaxError as exc:
        return None, [places.syntax_issue(exc)]
    except (RecursionError, MemoryError, ValueError):
        return None, [ExpressionIssue("expression too deeply nested or invalid", 1)]
    compiler = _Compiler(places)
    try:
        evaluator = compiler.compile(tree.body)
    except RecursionError:
        return None, [ExpressionIssue("expression too deeply nested", 1)]
    if compiler.issues:
        return None, compiler.issues
    return Expression(text, tuple(compiler.references), evaluator), []


class _Places:
    """Turns the parser's places (UTF-8 byte columns of the stripped text) into 1-based character offsets in the
    text as given."""

    def __init__(self, body: str, lead: int):
        self.text = body
        self.lead = lead
        self.encoded = body.strip().encode("utf-8", "surrogatepass")

    def at_column(self, byte_column: int) -> int:
        return self.lead + len(self.encoded[:byte_column].decode("utf-8", "replace")) + 1

    def start(self, node: ast.AST) -> int:
        return self.at_column(int(getattr(node, "col_offset", 0)))

    def end(self, node: ast.AST) -> int:
        """The offset just past ``node``."""
        end = getattr(node, "end_col_offset", None)
        return self.at_column(int(end if end is not None else getattr(node, "col_offset", 0)))

    def after(self, node: ast.AST) -> int:
        """The first character after ``node`` that is neither a space nor a closing bracket: the operator, dot or
        bracket that follows an operand."""
        offset = self.end(node)
        while offset <= len(self.text) and self.text[offset - 1] in " \t)":
            offset += 1
        return offset

    def syntax_issue(self, exc: SyntaxError) -> ExpressionIssue:
        # The parser gives a 1-based character column of the stripped text; none (or 0) when the text ends
        # before the expression does.
        end = len(self.text.rstrip()) + 1
        if not exc.offset:
            return ExpressionIssue(
                "the expression ends too early", end, "something is missing at the end: an operand or a bracket?"
            )
        return ExpressionIssue(f"{exc.msg}", min(self.lead + exc.offset, end), "check brackets and quotes")


class _Compiler:
    def __init__(self, places: _Places) -> None:
        self.places = places
        self.issues: list[ExpressionIssue] = []
        self.references: list[Reference] = []

    def refuse(self, node: ast.AST, message: str, hint: str = "", *, offset: int | None = None) -> Evaluator:
        """Refuse ``node``, at ``offset`` when the character to blame is not where the node starts."""
        self.issues.append(ExpressionIssue(message, self.places.start(node) if offset is None else offset, hint))
        return lambda ctx: None

    def compile(self, node: ast.AST) -> Evaluator:
        if isinstance(node, ast.Constant):
            return self._constant(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.BoolOp):
            parts = [self.compile(v) for v in node.values]
            if isinstance(node.op, ast.And):
                return lambda ctx: all(p(ctx) for p in parts)
            return lambda ctx: any(p(ctx) for p in parts)
        if isinstance(node, ast.UnaryOp):
            operand = self.compile(node.operand)
            if isinstance(node.op, ast.Not):
                return lambda ctx: not operand(ctx)
            if isinstance(node.op, ast.USub):
                return lambda ctx: -operand(ctx)
            if isinstance(node.op, ast.UAdd):
                return operand
            return self.refuse(node, "this operator is not allowed", "use not, -, +")
        if isinstance(node, ast.BinOp):
            return self._binary(node)
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.Attribute):
            at = self.places.after(node.value)
            return self.refuse(node, "attribute access (.) is not allowed", "use the listed functions", offset=at)
        if isinstance(node, ast.Subscript):
            at = self.places.after(node.value)
            return self.refuse(node, "subscripts ([...]) are not allowed", "use the listed functions", offset=at)
        if isinstance(node, ast.Lambda):
            return self.refuse(node, "lambda is not allowed")
        if isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
            return self.refuse(node, "comprehensions are not allowed")
        if isinstance(node, ast.JoinedStr):
            return self.refuse(node, "f-strings are not allowed", "use a plain quoted string")
        return self.refuse(node, f"{type(node).__name__} is not allowed in an expression")

    def _constant(self, node: ast.Constant) -> Evaluator:
        value = node.value
        if isinstance(value, bool | int | float | str):
            return lambda ctx: value
        return self.refuse(node, f"constant {value!r} is not allowed", "use numbers, quoted ids, True or False")

    def _name(self, node: ast.Name) -> Evaluator:
        name = node.id
        if name in FUNCTIONS:
            return self.refuse(node, f"'{name}' is a function", f"call it: {name}(...)")
        if name not in NAMES:
            return self.refuse(node, f"unknown name '{name}'", f"known names: {', '.join(NAMES)}")
        return lambda ctx: ctx.names[name]

    def _binary(self, node: ast.BinOp) -> Evaluator:
        op = _BINARY.get(type(node.op))
        if op is None:
            symbol = _SYMBOL.get(type(node.op), type(node.op).__name__)
            return self.refuse(
                node, f"operator {symbol} is not allowed", "use + - * /", offset=self.places.after(node.left)
            )
        left, right = self.compile(node.left), self.compile(node.right)
        return lambda ctx: op(left(ctx), right(ctx))

    def _compare(self, node: ast.Compare) -> Evaluator:
        left = self.compile(node.left)
        steps: list[tuple[Callable[[Any, Any], bool], Evaluator]] = []
        previous = node.left
        for op_node, comparator in zip(node.ops, node.comparators, strict=True):
            op = _COMPARE.get(type(op_node))
            if op is None:
                symbol = _COMPARISON_WORDS.get(type(op_node), type(op_node).__name__)
                at = self.places.after(previous)
                return self.refuse(node, f"comparison {symbol} is not allowed", "use < <= > >= == !=", offset=at)
            steps.append((op, self.compile(comparator)))
            previous = comparator

        def evaluate(ctx: Context) -> bool:
            current = left(ctx)
            for op, right in steps:
                following = right(ctx)
                if not op(current, following):
                    return False
                current = following
            return True

        return evaluate

    def _call(self, node: ast.Call) -> Evaluator:
        if not isinstance(node.func, ast.Name):
            return self.refuse(node, "only the listed functions can be called", f"known: {', '.join(FUNCTIONS)}")
        name = node.func.id
        spec = FUNCTIONS.get(name)
        if spec is None:
            return self.refuse(node, f"unknown function '{name}'", f"known functions: {', '.join(FUNCTIONS)}")
        extra = [*node.keywords, *(a for a in node.args if isinstance(a, ast.Starred))]
        if extra:
            first = min(extra, key=self.places.start)
            return self.refuse(node, f"{name}() takes plain positional arguments only", offset=self.places.start(first))
        count = len(node.args)
        if (spec.variadic and count < 1) or (not spec.variadic and count != len(spec.args)):
            wanted = "at least 1" if spec.variadic else str(len(spec.args))
            return self.refuse(node, f"{name}() takes {wanted} argument(s), got {count}")
        args: list[Evaluator] = []
        for index, arg in enumerate(node.args):
            kind = spec.args[0] if spec.variadic else spec.args[index]
            if kind in ("question", "domain"):
                if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                    return self.refuse(arg, f"{name}() needs a quoted {kind} id", f'e.g. {name}("some-id")')
                self.references.append(Reference(kind, arg.value, self.places.start(arg)))
            elif kind == "level" and isinstance(arg, ast.Constant):
                self.references.append(Reference("level", arg.value, self.places.start(arg)))
            args.append(self.compile(arg))

        def call(ctx: Context) -> Any:
            return ctx.functions[name](*(a(ctx) for a in args))

        return call
