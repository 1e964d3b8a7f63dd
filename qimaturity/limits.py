"""Every limit qimaturity puts on what it reads, renders and writes, in one place.

Answers, exports, brand files and custom templates come from people the operator does not control. Each reader,
the template sandbox and the PDF renderer stop at these limits with a clear problem (exit code 2) naming the file
and the limit, rather than running out of memory or time. SECURITY.md lists them in a table; a test holds that
table to the values here.
"""

from __future__ import annotations

KIB = 1024
MIB = 1024 * KIB

# --- structured documents: rubrics, answers files, mappings, brand files (YAML or JSON), FHIR resources ----------
MAX_DOCUMENT_BYTES = 5 * MIB
"""A rubric, answers file, mapping file or FHIR resource (YAML or JSON)."""
MAX_BRAND_BYTES = 256 * KIB
"""A brand file."""
MAX_DEPTH = 64
"""Nesting of mappings and lists in a YAML or JSON document."""
MAX_INTEGER_DIGITS = 20
"""Digits of a whole number in a YAML or JSON document (the widest 64-bit integer has 20)."""
MAX_ALIAS_PROBLEMS = 10
"""YAML aliases reported one by one before the rest are only counted."""

# --- survey and spreadsheet exports, filled questionnaire templates -------------------------------------------------
MAX_EXPORT_BYTES = 100 * MIB
"""A CSV, TSV or XLSX export (as stored on disk)."""
MAX_TEMPLATE_BYTES = 20 * MIB
"""A filled questionnaire template (.xlsx, as stored on disk)."""
MAX_COLUMNS = 2_000
"""Columns in an export or a sheet."""
MAX_CELL_CHARS = 32_767
"""Characters in one cell (Excel's own limit)."""
MAX_PROBLEMS = 100
"""Problems reported one by one for a file; the rest are counted in a last line."""

# --- report rendering ------------------------------------------------------------------------------------------
MAX_OUTPUT_CHARS = 50_000_000
"""Characters of HTML a template may produce."""
MAX_SEQUENCE = 100_000
"""Items a template may build by repeating a string or list."""
MAX_RANGE_TOTAL = 1_000_000
"""Numbers all of a template's ``range()`` calls may produce in one report."""
MAX_CONCATENATION = 1_000_000
"""Items a template may build by joining two strings or lists with ``+``."""
MAX_LISTED_ANSWERS = 1_000
"""Answers the gap report lists one by one; beyond it, its appendices count answers per respondent group."""
MAX_REMARK_CHARS = 150_000
"""Characters of respondents' comments, N/A justifications and evidence a gap report prints; the rest are counted."""

# --- brand files ------------------------------------------------------------------------------------------------
MAX_LOGO_BYTES = 2 * MIB
"""A logo image file."""
