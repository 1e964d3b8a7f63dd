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
MAX_FOLDER_RUBRICS = 1_000
"""YAML files of one folder on the rubric search path that are read and listed (the rest are counted)."""

# --- survey and spreadsheet exports, filled questionnaire templates -------------------------------------------------
MAX_EXPORT_BYTES = 100 * MIB
"""A CSV, TSV or XLSX export (as stored on disk)."""
MAX_TEMPLATE_BYTES = 20 * MIB
"""A filled questionnaire template (.xlsx, as stored on disk)."""
MAX_RUBRIC_WORKBOOK_BYTES = 20 * MIB
"""A rubric workbook (.xlsx, as stored on disk), read by ``rubric from-xlsx``."""
MAX_RUBRIC_SHEET_ROWS = 20_000
"""Rows in a sheet of a rubric workbook (a rubric of 1,000 questions on a scale of 10 levels needs 12,000)."""
MAX_COLUMNS = 2_000
"""Columns in an export or a sheet."""
MAX_CELL_CHARS = 32_767
"""Characters in one cell (Excel's own limit)."""
MAX_PROBLEMS = 100
"""Problems reported one by one for a file; the rest are counted in a last line."""
MAX_FIELD_LINES = 50
"""Lines one quoted CSV field may span (more means a closing quote is most likely missing)."""
MAX_SHEET_ROWS = 1_048_576
"""Rows in a sheet of an XLSX workbook (Excel's own limit)."""
MAX_SHEET_CELLS = 5_000_000
"""Cells of a sheet a reader holds: each row's cells up to its last value, empty ones included, at least one a row."""
MAX_WORKBOOK_BYTES = 256 * MIB
"""Uncompressed bytes of all the parts (files) of an XLSX workbook, as declared and as actually decompressed."""
MAX_WORKBOOK_PART_BYTES = 16 * MIB
"""Uncompressed bytes of an XLSX part parsed whole (every XML part but the sheets and the shared strings)."""
MAX_WORKBOOK_PARTS = 10_000
"""Parts (files) in an XLSX workbook's zip."""
MAX_COMPRESSION_RATIO = 100
"""Uncompressed to compressed size of an XLSX part of more than RATIO_CHECKED_FROM bytes (zip bombs go past 1,000)."""
RATIO_CHECKED_FROM = 1 * MIB
"""Uncompressed size from which an XLSX part's compression ratio is checked (small parts may compress well)."""
MAX_SHARED_STRINGS = 1_000_000
"""Strings in an XLSX workbook's shared-strings table."""
MAX_XML_ELEMENTS = 500_000
"""Elements of an XLSX part that a parser holds at once: all of a part read whole, those of a sheet outside rows."""
MAX_ROW_ELEMENTS = 50 * MAX_COLUMNS
"""Elements within one row of a sheet, or one shared string, of an XLSX workbook (a rich-text cell has several)."""
MAX_XML_TEXT_BYTES = 8 * MAX_CELL_CHARS
"""Bytes of text or whitespace between two tags of an XLSX part (a cell of MAX_CELL_CHARS characters, escaped, fits)."""

# --- report rendering ------------------------------------------------------------------------------------------
MAX_OUTPUT_CHARS = 50_000_000
"""Characters of HTML a template may produce."""
MAX_SEQUENCE = 100_000
"""Items a template may build by repeating a string or list."""
MAX_RANGE_TOTAL = 1_000_000
"""Numbers all of a template's ``range()`` calls may produce in one report."""
MAX_CONCATENATION = 1_000_000
"""Items a template may build by joining two strings or lists with ``+``."""
MAX_RENDER_SECONDS = 20.0
"""Wall-clock seconds one report template may run (QIMATURITY_TEMPLATE_SECONDS overrides it)."""
MAX_RENDER_MEMORY = 512 * MIB
"""Memory one report template may add to the process, in bytes (QIMATURITY_TEMPLATE_MEMORY_MIB overrides it)."""
RENDER_GRACE_SECONDS = 10.0
"""Seconds past MAX_RENDER_SECONDS after which a render that does not answer is killed (also its CPU-time margin)."""
MAX_LISTED_ANSWERS = 1_000
"""Answers the gap report lists one by one; beyond it, its appendices count answers per respondent group."""
MAX_REMARK_CHARS = 150_000
"""Characters of respondents' comments, N/A justifications and evidence a gap report prints; the rest are counted."""

# --- brand files ------------------------------------------------------------------------------------------------
MAX_LOGO_BYTES = 2 * MIB
"""A logo image file."""
MAX_LOGO_PIXELS = 16_000_000
"""Pixels of a PNG or JPEG logo (4,000 x 4,000); decoding takes about 10 bytes a pixel when the PDF is made."""

# --- outputs ----------------------------------------------------------------------------------------------------
PART_FILE_GRACE_SECONDS = 60
"""Age after which a write's leftover ``.NAME.*.part`` file is removed by the next write of that output."""
MAX_MANIFEST_BYTES = 64 * MIB
"""A batch manifest (``.qimaturity-batch.json``); a bigger one is set aside and rebuilt."""
