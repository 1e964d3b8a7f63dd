"""docs/api.md stays true: its ```python blocks are doctests, run in order in one namespace from the repository's
root, and each must print exactly the output the page shows."""

from __future__ import annotations

import doctest
import re

import pytest

from .conftest import ROOT

PAGE = ROOT / "docs" / "api.md"
FENCED_PYTHON = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)


@pytest.mark.slow
def test_api_walk_through_prints_what_the_page_shows(monkeypatch):
    monkeypatch.chdir(ROOT)
    text = PAGE.read_text(encoding="utf-8")
    blocks = list(FENCED_PYTHON.finditer(text))
    assert len(blocks) >= 10
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.DONT_ACCEPT_TRUE_FOR_1)
    namespace: dict[str, object] = {"__name__": "api_doc"}
    report: list[str] = []
    for match in blocks:
        line = text.count("\n", 0, match.start(1)) + 1
        block = match.group(1)
        # Every line of code is an example (a line before the first prompt would be skipped unchecked).
        assert block.startswith(">>> "), f"docs/api.md:{line}: a python block starts with '>>> '"
        test = parser.get_doctest(block, namespace, f"docs/api.md:{line}", str(PAGE), line - 1)
        assert test.examples, f"docs/api.md:{line}: no example"
        runner.run(test, out=report.append, clear_globs=False)
        namespace.update(test.globs)
    assert runner.failures == 0, "".join(report)
    assert runner.tries >= 40
