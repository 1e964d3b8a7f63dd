"""Answers in: the assessment model (model), answers files read and checked against a rubric (files), and every other
source of answers behind one entry point (sources): survey and spreadsheet exports (exports, and columnar for large
CSV and TSV exports, with Polars), FHIR QuestionnaireResponses (fhir) and filled questionnaire templates
(template). It may import rubric and _core.
"""
