"""Safe YAML loading: hostile or malformed files are refused with a place and a hint, never a traceback."""

from __future__ import annotations

import pytest

from qimaturity._core.documents import load_yaml, parse_yaml
from qimaturity._core.limits import MAX_DOCUMENT_BYTES
from qimaturity._core.problems import InputError

from .conftest import run_main

ALIAS_BOMB = """\
a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def problems_of(text: str) -> list[tuple[int | None, str]]:
    with pytest.raises(InputError) as caught:
        parse_yaml(text, "doc.yaml")
    return [(p.line, p.message) for p in caught.value.problems]


def test_alias_bomb_is_refused_quickly_without_expanding():
    found = problems_of(ALIAS_BOMB)
    assert found[0] == (2, "YAML aliases are not allowed (this reuses the value at line 1)")
    # Refused, not expanded: the report is capped rather than one line per reuse (9 ** 8 of them).
    assert len(found) == 10


def test_duplicate_keys_are_found_at_any_depth():
    assert problems_of("a:\n  b: 1\n  c: 2\n  b: 3\n") == [(4, "duplicate key 'b' (first at line 2)")]


def test_merge_keys_are_refused():
    assert problems_of("base: {a: 1}\nother:\n  <<: {b: 2}\n") == [(3, "YAML merge keys (<<) are not allowed")]


def test_deep_nesting_is_refused():
    text = "a: " + "[" * 100 + "]" * 100 + "\n"
    assert problems_of(text)[0][1] == "nested more than 64 levels deep"


def test_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfid: x\n")
    assert load_yaml(path).data == {"id": "x"}


def test_dates_stay_text_and_keys_are_text():
    doc = parse_yaml("date: 2026-01-31\n1: one\n", "doc.yaml")
    assert doc.data == {"date": "2026-01-31", "1": "one"}


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# padding\n" * (MAX_DOCUMENT_BYTES // 10 + 1))
    with pytest.raises(InputError) as caught:
        load_yaml(big)
    (problem,) = caught.value.problems
    assert problem.message == f"file is {big.stat().st_size:,} bytes, over the limit of {MAX_DOCUMENT_BYTES:,}"


def test_missing_file_and_folder_are_clear(tmp_path):
    for path, message in ((tmp_path / "nope.yaml", "file not found"), (tmp_path, "is a folder, not a file")):
        with pytest.raises(InputError) as caught:
            load_yaml(path)
        assert caught.value.problems[0].message == message


def test_positions_point_at_values_and_keys():
    doc = parse_yaml("top:\n  - name: x\n    weight: 2\n", "doc.yaml")
    assert doc.locate(("top", 0, "weight")) == (3, 13)
    assert doc.locate(("top", 0, "weight"), key=True) == (3, 5)
    assert doc.locate(("top", 0, "missing", 4)) == (2, 5)  # nearest ancestor


def test_cli_refuses_alias_bomb_with_exit_2(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(ALIAS_BOMB)
    result = run_main("validate", str(bomb))
    assert result.returncode == 2
    assert result.stderr.startswith(f"{bomb}:2:4: /b/0: YAML aliases are not allowed")
    assert "Traceback" not in result.stderr


# Where character N of a text value stands in the file: exact when the file shows the text character for character,
# else the start of the value. Line 1 is "plain: value > é.x", whose value starts at column 8.
SCALARS = """\
plain: value > é.x
single: 'it''s x'
double: "value > x"
escaped: "value\\t> x"
block: |
  value > x
folded: value >
  x
"""


@pytest.mark.parametrize(
    ("key", "offset", "place"),
    [
        ("plain", 10, (1, 17)),  # the dot after 'é': columns count characters, not bytes
        ("single", 4, (2, 14)),  # 's' of it''s: the quote opens at 9, and '' is one character written twice
        ("single", 6, (2, 16)),  # 'x'
        ("double", 9, (3, 18)),  # 'x': the quote opens at 9
        ("escaped", 9, (4, 10)),  # an escape: the file does not show the text as it is, so the value's start
        ("block", 9, (5, 8)),  # a block: the '|'
        ("folded", 9, (7, 9)),  # a plain value over two lines
    ],
)
def test_a_place_in_a_text_value_is_found_in_the_file(key, offset, place):
    doc = parse_yaml(SCALARS, "doc.yaml", scalar_sources=True)
    assert doc.locate_in_text((key,), offset) == place


def test_without_scalar_sources_a_place_in_text_is_the_value_start():
    assert parse_yaml(SCALARS, "doc.yaml").locate_in_text(("double",), 9) == (3, 9)
