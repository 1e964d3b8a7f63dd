"""The core that every other package stands on, knowing nothing of rubrics or scores: problems and the error that
carries them (problems), every limit on input and rendering (limits), safe reading of YAML and JSON documents with
their line marks (documents), of CSV and TSV (delimited) and of XLSX workbooks (workbooks), which file is which kind
of input (kinds), the words for N/A (na), numbers written as text (numbers), atomic writes (outputs), cells that
never hold a live formula (formulas) and where the bundled data lives (resources). It imports nothing else of
qimaturity.
"""
