"""Cohorts: many results compared, with statistics, peer groups, rankings, outliers and trends (model), many answers
files scored at once (score) and cohorts as flat rows for CSV and XLSX (tables). It may import scoring, answers,
rubric and _core.
"""
