"""Report branding as data: a consultant's name, logo, colours, fonts, cover and footer text, and the report's own
wording (its title, cover line, subtitle, section names and the heading over perception gaps).

Colours and font names are checked against strict patterns, so a brand file can never inject CSS; the logo is
read here and embedded as a data URI, so the report stays one self-contained file. A brand file is untrusted, so
its logo must be a regular file inside the brand file's folder, reached through no symbolic link; a PNG or JPEG is
decoded in full here (its pixel count checked from its header first), and an SVG is parsed with DOCTYPEs,
entities and references to anything outside itself refused. A logo is refused with the reason, never dropped; a
font that the machine does not have is refused too, rather than silently replaced. Every problem of a brand file is
reported in one pass.
"""

from __future__ import annotations

import base64
import io
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from qimaturity._core.documents import SourceDocument, load_yaml, parse_yaml
from qimaturity._core.limits import MAX_BRAND_BYTES, MAX_LOGO_BYTES, MAX_LOGO_PIXELS
from qimaturity._core.problems import InputError, Problem
from qimaturity.rubric.checks import schema_problems

_LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}
_RASTER = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}
_XLINK = "{http://www.w3.org/1999/xlink}href"
SECTIONS = (
    "summary",
    "narrative",
    "overview",
    "peers",
    "since_last_time",
    "domains",
    "plan",
    "projection",
    "appendices",
    "na_evidence",
    "method",
    "answers",
)
"""The report's sections that a brand may rename (``sections:`` in a brand file)."""


def _no_sections() -> dict[str, str | None]:
    return dict.fromkeys(SECTIONS)


@dataclass(frozen=True)
class Brand:
    name: str | None = None
    logo: str | None = None
    primary: str = "#1d3557"
    accent: str = "#0072b2"
    text: str = "#1b1b1b"
    body_font: str | None = None
    heading_font: str | None = None
    cover_text: str | None = None
    footer_text: str | None = None
    title: str | None = None
    """The report's title, before the organisation's name, in its metadata (default "Quality improvement gap
    report")."""
    cover_line: str | None = None
    """The line above the organisation's name on the cover (default "Quality improvement gap report")."""
    subtitle: str | None = None
    """The line below the organisation's name on the cover (default: the rubric's title)."""
    sections: dict[str, str | None] = field(default_factory=_no_sections)
    """Section names by :data:`SECTIONS` key, ``None`` for the report's own."""
    group_comparison: str | None = None
    """The heading over the summary's perception gaps (default: from the rubric's group names)."""


DEFAULT_BRAND = Brand()


def load_brand(path: Path | str) -> Brand:
    """Read and check a brand file; raise :class:`InputError` with every problem found."""
    path = Path(path)
    return _brand(load_yaml(path, max_bytes=MAX_BRAND_BYTES, keep_going=True), path.parent)


def parse_brand(text: str, name: str = "brand") -> Brand:
    """Check a brand given as YAML text (a brand kept in a database, not in a folder) as :func:`load_brand` checks a
    brand file; raise :class:`InputError` with every problem found, located in the text (``name`` stands for the
    file). Such a brand has no folder, so it names no logo: a ``logo`` is refused, and no file is ever read."""
    if len(text.encode("utf-8")) > MAX_BRAND_BYTES:
        raise InputError.single(name, f"the brand is over the limit of {MAX_BRAND_BYTES:,} bytes", "shorten it")
    return _brand(parse_yaml(text, name, keep_going=True), None)


def _brand(doc: SourceDocument, folder: Path | None) -> Brand:
    """The brand of a parsed brand document; its logo is read from ``folder`` (``None``: a logo is refused)."""
    problems = [*doc.problems, *schema_problems(doc, "brand")]
    data = doc.data if isinstance(doc.data, dict) else {}
    if doc.problems and not data:
        raise InputError(problems)
    # Every problem in one pass: the schema's, the logo's and the fonts', so that a brand file is mended in one go.
    bad_places = {tuple(problem.path.strip("/").split("/")[:2]) for problem in problems if problem.path}
    logo = None
    if isinstance(data.get("logo"), str) and ("logo",) not in bad_places and folder is None:
        problems.append(
            doc.problem(
                ("logo",),
                "a brand kept in the site has no logo: it reads no file a brand names",
                "remove the logo line (reports made by the CLI with --brand FILE can carry a logo)",
            )
        )
    elif isinstance(data.get("logo"), str) and ("logo",) not in bad_places and folder is not None:
        try:
            logo = _logo_data_uri(folder, data["logo"], doc.problem(("logo",), ""))
        except InputError as error:
            problems.extend(error.problems)
    colours = data.get("colours") or {}
    fonts = data.get("fonts") or {}
    if isinstance(fonts, dict):
        for key, family in fonts.items():
            if isinstance(family, str) and ("fonts", key) not in bad_places:
                missing = missing_font(family)
                if missing:
                    place = doc.problem(("fonts", key), "")
                    problems.append(
                        Problem(
                            place.file,
                            place.line,
                            place.column,
                            place.path,
                            missing,
                            "install the font on the machine that renders reports, or name one it has (fc-list "
                            "lists them)",
                        )
                    )
    if problems:
        raise InputError(problems)
    sections = _no_sections()
    sections.update(data.get("sections") or {})
    return Brand(
        name=data.get("name"),
        logo=logo,
        primary=colours.get("primary", DEFAULT_BRAND.primary),
        accent=colours.get("accent", DEFAULT_BRAND.accent),
        text=colours.get("text", DEFAULT_BRAND.text),
        body_font=fonts.get("body"),
        heading_font=fonts.get("headings"),
        cover_text=data.get("cover_text"),
        footer_text=data.get("footer_text"),
        title=data.get("title"),
        cover_line=data.get("cover_line"),
        subtitle=data.get("subtitle"),
        sections=sections,
        group_comparison=data.get("group_comparison"),
    )


def missing_font(family: str) -> str | None:
    """Why the font family ``family`` would not be used, or ``None`` when the machine has it (or cannot say).

    Fontconfig, which the PDF renderer uses, always offers some font: the family is missing when the font it
    offers for the name is of another family. Where fontconfig is not found (outside Linux and the BSDs, mostly),
    nothing is checked.
    """
    found = _fontconfig_family(family)
    if found is None or found.casefold() == family.casefold():
        return None
    return f"font '{family}' is not installed on this machine: reports would use '{found}' instead"


_FONTCONFIG_NAMES = ("libfontconfig.so.1", "libfontconfig.so", "libfontconfig.1.dylib", "libfontconfig-1.dll")


@cache
def _fontconfig() -> Any:
    """The fontconfig library, or ``None`` where it cannot be loaded (by its usual names: ctypes.util.find_library
    would start a process)."""
    import ctypes

    for name in _FONTCONFIG_NAMES:
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    return None


def _fontconfig_family(family: str) -> str | None:
    """The family of the font fontconfig offers for ``family``; ``None`` when fontconfig cannot be asked."""
    lib = _fontconfig()
    if lib is None:
        return None
    import ctypes

    lib.FcNameParse.restype = ctypes.c_void_p
    lib.FcNameParse.argtypes = [ctypes.c_char_p]
    lib.FcConfigSubstitute.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
    lib.FcDefaultSubstitute.argtypes = [ctypes.c_void_p]
    lib.FcFontMatch.restype = ctypes.c_void_p
    lib.FcFontMatch.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]
    lib.FcPatternGetString.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_char_p),
    ]
    lib.FcPatternDestroy.argtypes = [ctypes.c_void_p]
    # FcNameParse reads '-', ':' and ',' as syntax; brand font names are letters, digits, spaces, '.', '_' and '-'.
    pattern = lib.FcNameParse(family.replace("-", "\\-").encode("utf-8"))
    if not pattern:
        return None
    try:
        lib.FcConfigSubstitute(None, pattern, 0)  # FcMatchPattern
        lib.FcDefaultSubstitute(pattern)
        result = ctypes.c_int()
        match = lib.FcFontMatch(None, pattern, ctypes.byref(result))
        if not match:
            return None
        try:
            value = ctypes.c_char_p()
            if lib.FcPatternGetString(match, b"family", 0, ctypes.byref(value)) != 0 or value.value is None:
                return None
            return value.value.decode("utf-8", "replace")
        finally:
            lib.FcPatternDestroy(match)
    finally:
        lib.FcPatternDestroy(pattern)


def _logo_data_uri(folder: Path, given: str, place: Problem) -> str:
    def refuse(message: str, hint: str) -> InputError:
        return InputError([Problem(place.file, place.line, place.column, place.path, message, hint)])

    relative = Path(os.path.normpath(given))
    if relative.is_absolute() or relative.parts[:1] == ("..",):
        raise refuse(f"the logo '{given}' is outside the brand file's folder", "put the logo beside the brand file")
    base = folder.resolve()
    path = base / relative
    if path.resolve() != path:
        raise refuse(
            f"the logo '{given}' is a symbolic link or is reached through one",
            "copy the image itself beside the brand file",
        )
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise refuse(f"logo file not found: {given}", "give a path relative to the brand file") from None
    except OSError as error:
        raise refuse(f"cannot read the logo '{given}': {error.strerror}", "check the file") from None
    with os.fdopen(descriptor, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise refuse(f"the logo '{given}' is not a regular file", "give an image file")
        raw = stream.read(MAX_LOGO_BYTES + 1)
    if len(raw) > MAX_LOGO_BYTES:
        raise refuse(f"logo file is over {MAX_LOGO_BYTES // (1024 * 1024)} MB", "use a smaller image")
    suffix = path.suffix.lower()
    if suffix == ".svg":
        _check_svg(raw, given, refuse)
    else:
        _check_raster(raw, given, _RASTER[suffix], refuse)
    return f"data:{_LOGO_TYPES[suffix]};base64,{base64.b64encode(raw).decode('ascii')}"


def _check_raster(raw: bytes, given: str, expected: str, refuse: Callable[[str, str], InputError]) -> None:
    """Decode the whole image (so that the PDF will not drop it), after Pillow's bomb check has refused an image of
    too many pixels from its header."""
    import warnings

    from PIL import Image, ImageFile

    Image.MAX_IMAGE_PIXELS = MAX_LOGO_PIXELS  # Pillow's own bomb check, set to ours rather than its default
    # WeasyPrint, once imported, tells Pillow to fill a truncated image in (a process-wide flag): a notebook or a
    # batch worker that has written a PDF would then take a truncated logo. Refuse it whatever the flag says.
    lenient = ImageFile.LOAD_TRUNCATED_IMAGES
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            ImageFile.LOAD_TRUNCATED_IMAGES = False
            with Image.open(io.BytesIO(raw)) as image:
                if image.format != expected:
                    raise refuse(f"the logo '{given}' is not a {expected} image", "check the file and its name")
                image.load()
        except InputError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            # Raised by Image.open from the header's size, before any pixel is decoded.
            raise refuse(
                f"the logo '{given}' has more than {MAX_LOGO_PIXELS:,} pixels",
                "use a smaller image: a logo needs a few hundred pixels across",
            ) from None
        except (OSError, ValueError, SyntaxError, MemoryError) as error:
            raise refuse(f"the logo '{given}' cannot be read as an image: {error}", "check the file") from None
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = lenient


def _check_svg(raw: bytes, given: str, refuse: Callable[[str, str], InputError]) -> None:
    """An SVG with no DOCTYPE or entities, whose links all point inside itself (or are data: URLs)."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(raw, forbid_dtd=True)
    except DefusedXmlException:
        raise refuse(
            f"the SVG logo '{given}' has a DOCTYPE or entities", "save the SVG without a DOCTYPE (plain SVG)"
        ) from None
    except (ParseError, LookupError) as error:  # LookupError: an XML declaration naming an unknown encoding
        raise refuse(f"the logo '{given}' is not an SVG image: {error}", "check the file") from None
    if not root.tag.endswith("svg"):
        raise refuse(f"the logo '{given}' is not an SVG image", "check the file")
    for element in root.iter():
        for name, value in element.attrib.items():
            if name in ("href", _XLINK) and not value.strip().startswith(("#", "data:")):
                raise refuse(
                    f"the SVG logo '{given}' refers to '{value[:80]}' outside itself",
                    "embed images in the SVG (data: URLs), or use a PNG",
                )
