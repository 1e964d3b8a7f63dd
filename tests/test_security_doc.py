"""SECURITY.md's table of limits is the limits qimaturity enforces: every constant of qimaturity/_core/limits.py, with
its value and its description, and nothing else. On failure the message shows the table to paste."""

from __future__ import annotations

import ast

from qimaturity._core import limits

from .conftest import ROOT

UNITS = (("MIB", limits.MIB, "MiB"), ("KIB", limits.KIB, "KiB"))


def _value(name: str, value: int | float) -> str:
    if name.endswith(("_BYTES", "_MEMORY", "_FROM")):  # sizes in bytes
        for _, size, unit in UNITS:
            if value >= size and value % size == 0:
                return f"{value // size:,} {unit}"
    if name.endswith("_SECONDS"):
        return f"{value:g} s"
    return f"{value:,}"


def limits_table() -> str:
    """The table of limits, made from the constants of qimaturity/_core/limits.py and the docstring under each."""
    tree = ast.parse((ROOT / "qimaturity" / "_core" / "limits.py").read_text(encoding="utf-8"))
    rows = ["| Limit | Value | What it bounds |", "| --- | --- | --- |"]
    body = tree.body
    for statement, following in zip(body, body[1:], strict=False):
        if not (isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Name)):
            continue
        name = statement.targets[0].id
        if name in ("KIB", "MIB") or not isinstance(following, ast.Expr):
            continue
        doc = following.value.value if isinstance(following.value, ast.Constant) else ""
        rows.append(f"| `{name}` | {_value(name, getattr(limits, name))} | {' '.join(str(doc).split())} |")
    return "\n".join(rows) + "\n"


def test_every_limit_is_in_security_md_with_its_value():
    table = limits_table()
    assert table in (ROOT / "SECURITY.md").read_text(encoding="utf-8"), f"SECURITY.md should hold:\n{table}"


def test_every_limit_has_a_description():
    names = [n for n in vars(limits) if n.isupper() and n not in ("KIB", "MIB")]
    described = {line.split("`")[1] for line in limits_table().splitlines()[2:]}
    assert sorted(names) == sorted(described)
