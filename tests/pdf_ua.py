"""A structure check of a tagged PDF against the rules of PDF/UA-1 (ISO 14289-1) that a report can break.

veraPDF, the reference validator, is a Java program distributed through Maven and GitHub, neither of which the test
machines can reach; this check reads the same parts of the file with pypdf and names each breach it finds:

- the catalogue: ``/Lang`` set (7.2), ``/MarkInfo /Marked true`` (7.1), ``/ViewerPreferences /DisplayDocTitle true``
  and a title in the metadata (7.1), the PDF/UA identifier in the XMP metadata (``pdfuaid:part`` 1, 5);
- headings (7.4.2): ``H1`` to ``H6`` in document order never skip a level on the way down, and the first is ``H1``;
- tables (7.5): a ``Table`` holds rows (``TR``, directly or in ``THead``/``TBody``/``TFoot``) and a caption at
  most; a row holds ``TH`` and ``TD`` cells only; every ``TH`` has an attribute dictionary of owner ``/Table``
  with a ``/Scope`` of ``/Row``, ``/Column`` or ``/Both``;
- figures (7.3): every ``Figure`` has a non-empty ``/Alt``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

HEADINGS = ("/H1", "/H2", "/H3", "/H4", "/H5", "/H6")
ROW_GROUPS = ("/THead", "/TBody", "/TFoot")
SCOPES = ("/Row", "/Column", "/Both")


@dataclass(frozen=True)
class Element:
    tag: str
    node: DictionaryObject
    path: str  # the tags from the root, for messages: "Document/Part/Sect/Table/TBody/TR/TH"


def _resolve(obj):
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def _kids(node: DictionaryObject) -> list[DictionaryObject]:
    kids = _resolve(node.get("/K"))
    if kids is None:
        return []
    if not isinstance(kids, ArrayObject):
        kids = [kids]
    found = []
    for kid in kids:
        kid = _resolve(kid)
        # Marked-content ids (numbers) and object references (/OBJR, /MCR) are content, not structure elements.
        if isinstance(kid, DictionaryObject) and "/S" in kid:
            found.append(kid)
    return found


def elements(reader: PdfReader) -> Iterator[Element]:
    """Every structure element of the document, depth first in document order."""
    root = _resolve(reader.trailer["/Root"]["/StructTreeRoot"])

    def walk(node: DictionaryObject, path: str) -> Iterator[Element]:
        for kid in _kids(node):
            tag = str(kid["/S"])
            here = f"{path}/{tag[1:]}" if path else tag[1:]
            yield Element(tag, kid, here)
            yield from walk(kid, here)

    yield from walk(root, "")


def _attributes(node: DictionaryObject) -> list[DictionaryObject]:
    a = _resolve(node.get("/A"))
    if a is None:
        return []
    items = a if isinstance(a, ArrayObject) else [a]
    return [_resolve(item) for item in items if isinstance(_resolve(item), DictionaryObject)]


def problems(data: bytes) -> list[str]:
    """Each breach of the rules above, in words; an empty list for a document that keeps them all."""
    reader = PdfReader(io.BytesIO(data))
    catalog = reader.trailer["/Root"]
    found: list[str] = []
    if not str(catalog.get("/Lang", "")).strip():
        found.append("the document has no /Lang")
    mark_info = _resolve(catalog.get("/MarkInfo")) or {}
    if not mark_info.get("/Marked"):
        found.append("/MarkInfo /Marked is not true")
    preferences = _resolve(catalog.get("/ViewerPreferences")) or {}
    if not preferences.get("/DisplayDocTitle"):
        found.append("/ViewerPreferences /DisplayDocTitle is not true")
    if not (reader.metadata and (reader.metadata.title or "").strip()):
        found.append("the document information has no /Title")
    xmp = _resolve(catalog.get("/Metadata"))
    xmp_text = xmp.get_data().decode("utf-8", "replace") if xmp is not None else ""
    if not re.search(r"pdfuaid:part(?:>|=\")\s*1\b", xmp_text):
        found.append("the XMP metadata has no PDF/UA identifier (pdfuaid:part 1)")
    if "/StructTreeRoot" not in catalog:
        return [*found, "the document has no structure tree"]

    last_heading = 0
    for element in elements(reader):
        tag, node, path = element.tag, element.node, element.path
        if tag in HEADINGS:
            level = HEADINGS.index(tag) + 1
            if level > last_heading + 1:
                found.append(f"{path}: heading level {level} follows level {last_heading}")
            last_heading = level
        elif tag == "/Table":
            for kid in _kids(node):
                kid_tag = str(kid["/S"])
                if kid_tag == "/Caption":
                    continue
                rows = _kids(kid) if kid_tag in ROW_GROUPS else [kid]
                for row in rows:
                    if str(row["/S"]) != "/TR":
                        found.append(f"{path}: {str(row['/S'])[1:]} where a row (TR) belongs")
                        continue
                    cells = _kids(row)
                    if not cells:
                        found.append(f"{path}/TR: a row without cells")
                    for cell in cells:
                        if str(cell["/S"]) not in ("/TH", "/TD"):
                            found.append(f"{path}/TR: {str(cell['/S'])[1:]} where a cell (TH or TD) belongs")
        elif tag == "/TH":
            scopes = [str(a.get("/Scope")) for a in _attributes(node) if str(a.get("/O")) == "/Table" and "/Scope" in a]
            if not scopes or any(s not in SCOPES for s in scopes):
                found.append(f"{path}: a header cell without /Scope")
        elif tag == "/Figure" and not str(node.get("/Alt", "")).strip():
            found.append(f"{path}: a figure without /Alt")
    return found


def figure_alts(data: bytes) -> list[str]:
    """The /Alt of every figure, in document order."""
    reader = PdfReader(io.BytesIO(data))
    return [str(e.node.get("/Alt", "")) for e in elements(reader) if e.tag == "/Figure"]


def header_scopes(data: bytes) -> list[str]:
    """The /Scope of every header cell in document order ("" where it has none)."""
    reader = PdfReader(io.BytesIO(data))
    scopes = []
    for e in elements(reader):
        if e.tag == "/TH":
            given = [str(a["/Scope"]) for a in _attributes(e.node) if "/Scope" in a]
            scopes.append(given[0] if given else "")
    return scopes
