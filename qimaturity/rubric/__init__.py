"""Rubrics: the immutable model (model), the safe expression language (expressions), finding, loading and building a
rubric (load), the schema and meaning checks (checks), scoring policy in words (wording), and the questionnaire form
that a rubric gives, which writing a blank questionnaire and reading a filled one both need (forms). It may import
_core.
"""
