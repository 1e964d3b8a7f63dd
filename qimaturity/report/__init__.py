"""Reports: what a gap or cohort report shows (views), its SVG charts (charts), the sandboxed templates (templating),
HTML and PDF (render, and pdf_fetching for what the PDF renderer may read), branding (branding) and the blank
questionnaire, printed or as a spreadsheet template (questionnaire). The only package that imports jinja2 or
weasyprint. It may import cohort, scoring, answers, rubric and _core.
"""
