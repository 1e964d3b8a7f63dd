"""How a cell says "not applicable": one list of words and one way of matching them, for every reader of cells.

The row importer of exports (:mod:`qimaturity.answers.exports`, and so the columnar importer, which reads each
distinct cell with it), the reader of filled questionnaire templates (:mod:`qimaturity.answers.template`) and
``score-export`` (:mod:`qimaturity.scoring.columnar`, which matches whole columns with Polars by the same rule,
held equal to :func:`is_na_text` by a property test) all take a cell as N/A exactly when :func:`is_na_text` says so.
"""

from __future__ import annotations

from typing import Final

NA_WORDS: Final = frozenset({"n/a", "na", "n.a.", "n.a", "not applicable"})
"""The words for N/A, in the form :func:`na_key` gives: lower case (casefolded), single spaces."""
NA_TEXT: Final = "N/A"
"""How qimaturity itself writes N/A where a person picks it (the questionnaire template's drop-down lists)."""


def na_key(text: str) -> str:
    """A cell's text as :data:`NA_WORDS` holds it: casefolded, without whitespace around it, and each run of
    whitespace inside it one space (``"  Not   Applicable "`` is ``"not applicable"``)."""
    return " ".join(text.split()).casefold()


def is_na_text(text: str) -> bool:
    """Whether a cell's text says N/A: ``N/A``, ``NA``, ``n.a.``, ``n.a`` or ``Not applicable``, in any case, with any
    whitespace around it."""
    return na_key(text) in NA_WORDS


# Whitespace as str.split() and str.strip() take it (isspace), all of it below U+3001.
WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())


def na_pattern() -> str:
    """A regular expression, in the syntax of Rust's ``regex`` crate that Polars uses, matching exactly the texts
    :func:`is_na_text` takes: each of :data:`NA_WORDS`, ignoring case, with a run of whitespace for each space and
    any whitespace around it. Built from :data:`NA_WORDS`, so that the two cannot drift apart; tests/test_na_words.py
    holds them equal (Rust's case-insensitive matching and :meth:`str.casefold` agree on these words' letters)."""
    space = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in WHITESPACE) + "]"

    def literal(word: str) -> str:
        return "".join(c if c.isalnum() else f"\\x{{{ord(c):x}}}" for c in word)

    words = "|".join(f"{space}+".join(literal(part) for part in word.split(" ")) for word in sorted(NA_WORDS))
    return f"(?i)^{space}*(?:{words}){space}*$"
