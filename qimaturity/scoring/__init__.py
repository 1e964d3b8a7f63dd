"""Scoring: the engine (engine) that turns a rubric and an assessment into a result with its trace (result), a result
explained in words (explain), the columnar engine for large respondent exports (columnar and columnar_numbers, with
Polars) and results as flat rows for CSV and XLSX (tables). It may import answers, rubric and _core.
"""
