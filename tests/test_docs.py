"""The documentation's examples stay true: the complete rubrics it shows validate."""

from __future__ import annotations

import re

from qimaturity import load_rubric, validate_rubric

from .conftest import ROOT

FENCED_YAML = re.compile(r"```yaml\n(.*?)```", re.DOTALL)


def complete_rubrics(markdown: str) -> list[str]:
    """YAML blocks of the page that are whole rubrics (they start with the schema line)."""
    return [b for b in FENCED_YAML.findall(markdown) if b.startswith("# yaml-language-server") and "domains:" in b]


def test_rubric_format_page_complete_example_is_valid(tmp_path):
    (example,) = complete_rubrics((ROOT / "docs" / "rubric-format.md").read_text(encoding="utf-8"))
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    assert validate_rubric(path) == []
    assert load_rubric(path).question_count == 4


def test_readme_example_rubric_is_valid(tmp_path):
    (example,) = complete_rubrics((ROOT / "README.md").read_text(encoding="utf-8"))
    path = tmp_path / "readme.yaml"
    path.write_text(example, encoding="utf-8")
    assert validate_rubric(path) == []
