"""Finding, loading and building rubrics: bundled ids or paths in, immutable :class:`Rubric` out."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qimaturity._core.documents import SourceDocument, parse_yaml, plain_document, read_text
from qimaturity._core.frozen import FrozenMap
from qimaturity._core.limits import MAX_DOCUMENT_BYTES
from qimaturity._core.problems import InputError, Problem, pointer, sort_problems
from qimaturity._core.resources import bundled_dir
from qimaturity.rubric.checks import check_rubric_document, level_named
from qimaturity.rubric.expressions import parse_expression
from qimaturity.rubric.model import (
    NA_COUNTS_AS,
    AllOf,
    AnyOf,
    Band,
    Bands,
    Condition,
    Count,
    CriticalBelow,
    Domain,
    DomainMapping,
    Evidence,
    ExpressionCondition,
    Framework,
    ItemLevel,
    Level,
    LevelDescriptor,
    Migration,
    Not,
    Question,
    QuestionMove,
    RespondentGroup,
    Rubric,
    Rule,
    Scoring,
    Source,
)
from qimaturity.rubric.search import (
    BUNDLED,
    RubricFile,
    SearchPath,
    display_name,
    find_rubric_file,
    is_rubric_id_ref,
    rubric_files,
    rubric_search_path,
)


def bundled_rubric_paths() -> dict[str, Path]:
    """Bundled rubric ids and their files, sorted by id."""
    folder = bundled_dir("rubrics")
    return {path.stem: path for path in sorted(folder.glob("*.yaml"))}


def resolve_rubric(ref: str | Path, search_path: SearchPath = None) -> Path:
    """The file of a rubric given by id (``qi-readiness``, ``psc-maturity``) or by path.

    An id is looked up in the folders of ``search_path``, then those of ``QIMATURITY_RUBRIC_PATH``, then the
    bundled rubrics (see :mod:`qimaturity.rubric.search`); :class:`InputError` when no file or more than one has
    it."""
    return _locate(ref, search_path)[0]


def _locate(ref: str | Path, search_path: SearchPath) -> tuple[Path, str | None]:
    """The file of ``ref`` and, when it was found by id, that id."""
    if not is_rubric_id_ref(ref):
        return Path(ref), None
    try:
        found = find_rubric_file(str(ref), rubric_search_path(search_path))
    except InputError as error:
        if not Path(ref).is_dir():
            raise
        # A folder given for a rubric, with no rubric of that id: say what it is first.
        hint = error.problems[0].hint
        raise InputError.single(str(ref), "is a folder, not a rubric file, and no rubric has this id", hint) from None
    return found.path, found.id


def check_rubric(
    ref: str | Path | Mapping[str, Any], *, search_path: SearchPath = None
) -> tuple[SourceDocument | None, list[Problem]]:
    """Load and validate a rubric (by id, path or as a mapping); return the document and every problem found (none
    when it is valid). ``search_path`` as for :func:`resolve_rubric`."""
    if isinstance(ref, Mapping):
        try:
            doc = plain_document(ref, "<rubric>")
        except InputError as error:
            return None, list(error.problems)
        return doc, check_rubric_document(doc)
    try:
        path, ident = _locate(ref, search_path)
    except InputError as error:
        return None, list(error.problems)
    return _check_file(path, ident)


def _check_file(path: Path, ident: str | None) -> tuple[SourceDocument | None, list[Problem]]:
    """Load and validate a rubric file; ``ident``: the id it was found by, which must be the rubric's."""
    name = display_name(path)
    try:
        text = read_text(path, max_bytes=MAX_DOCUMENT_BYTES, display=name)
    except InputError as error:
        return None, list(error.problems)
    return _check_text(text, name, ident)


def _check_text(text: str, name: str, ident: str | None) -> tuple[SourceDocument | None, list[Problem]]:
    """:func:`_check_file` once the file is read."""
    try:
        doc = parse_yaml(text, name, keep_going=True, scalar_sources=True)
    except InputError as error:
        return None, list(error.problems)
    problems = check_rubric_document(doc)
    found_id = doc.data.get("id") if isinstance(doc.data, dict) else None
    if ident is not None and isinstance(found_id, str) and found_id != ident:
        # Found by its file name: what scores as "psc-maturity" must be the rubric psc-maturity.
        problems.append(
            doc.problem(
                ("id",),
                f"the file for rubric id '{ident}' holds the rubric '{found_id}'",
                f"rubrics are found by file name: rename the file {found_id}.yaml, or write id: {ident}",
            )
        )
    return doc, sort_problems(problems)


def load_rubric(ref: str | Path | Mapping[str, Any], *, search_path: SearchPath = None) -> Rubric:
    """Load a rubric by id or path, validate it, and return it; raise :class:`InputError` if invalid.

    An id is looked up in the folders of ``search_path`` (one folder or a list), then in those of the environment
    variable ``QIMATURITY_RUBRIC_PATH``, then among the bundled rubrics; an id found in more than one place is
    refused, naming them. The rubric document itself may be given as a mapping (a notebook's dict): it is checked
    exactly as a file is, and its problems carry the JSON path (``/domains/0/questions/1/levels``) and no line, in
    ``<rubric>``."""
    if isinstance(ref, Mapping):
        doc, problems = check_rubric(ref)
        if problems or doc is None:
            raise InputError(problems)
        return rubric_from_document(doc)
    path, ident = _locate(ref, search_path)
    name = display_name(path)
    return _rubric_of_text(read_text(path, max_bytes=MAX_DOCUMENT_BYTES, display=name), name, ident)


@functools.lru_cache(maxsize=32)
def _rubric_of_text(text: str, name: str, ident: str | None) -> Rubric:
    """The rubric a file's text makes, under its display name and the id it was found by. The same text under the
    same name makes the same (immutable) rubric, so the last few are kept: a process that loads one rubric many times
    (a batch, a test suite, the web application) parses and checks it once. A file that fails raises every time."""
    doc, problems = _check_text(text, name, ident)
    if problems or doc is None:
        raise InputError(problems)
    return rubric_from_document(doc)


def as_rubric(rubric: Rubric | str | Path | Mapping[str, Any], *, search_path: SearchPath = None) -> Rubric:
    """A rubric given as itself, by id or by path (loaded as :func:`load_rubric` does)."""
    return rubric if isinstance(rubric, Rubric) else load_rubric(rubric, search_path=search_path)


@dataclass(frozen=True)
class RubricCheck:
    """What validating one rubric found: every problem, and the rubric itself when it has none."""

    ref: str
    problems: tuple[Problem, ...]
    rubric: Rubric | None = None
    file: str | None = None

    @property
    def valid(self) -> bool:
        return self.rubric is not None and not self.problems

    def to_dict(self) -> dict[str, Any]:
        """The JSON form ``validate --format json`` gives for one rubric."""
        entry: dict[str, Any] = {
            "rubric": self.ref,
            "valid": self.valid,
            "problems": [p.to_dict() for p in self.problems],
        }
        if self.rubric is not None and self.valid:
            entry.update(
                id=self.rubric.id,
                version=self.rubric.version,
                file=self.file,
                domains=len(self.rubric.domains),
                questions=self.rubric.question_count,
                content_hash=self.rubric.content_hash,
            )
        return entry


def inspect_rubric(ref: str | Path, *, search_path: SearchPath = None) -> RubricCheck:
    """Validate a rubric (by id or path): every problem, and the rubric when there are none."""
    doc, problems = check_rubric(ref, search_path=search_path)
    if doc is None or problems:
        return RubricCheck(str(ref), tuple(problems), file=doc.name if doc is not None else None)
    return RubricCheck(str(ref), (), rubric_from_document(doc), doc.name)


def content_hash(data: Any) -> str:
    """A hash of the rubric's content (not its layout or comments): results record it for comparability."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def rubric_from_document(doc: SourceDocument) -> Rubric:
    """Build the immutable model from a document that passed :func:`check_rubric_document`."""
    data = doc.data
    na = data.get("not_applicable") or {}
    na_allowed = bool(na.get("allowed", False))
    na_justification = bool(na.get("justification", True))
    domains = tuple(_domain(d, na_allowed, na_justification, data["levels"]) for d in data["domains"])
    return Rubric(
        id=data["id"],
        version=data["version"],
        title=data["title"],
        description=data.get("description"),
        licence=data.get("licence"),
        authors=tuple(data.get("authors") or ()),
        fhir_canonical=(data.get("fhir") or {}).get("canonical"),
        sources=tuple(Source(s["id"], s["citation"], s.get("url")) for s in data.get("sources") or ()),
        frameworks=tuple(
            Framework(f["id"], f["title"], f.get("url"), FrozenMap(sorted((f.get("codes") or {}).items())))
            for f in data.get("frameworks") or ()
        ),
        levels=tuple(Level(lv["value"], lv["name"], lv["descriptor"]) for lv in data["levels"]),
        na_allowed=na_allowed,
        na_justification=na_justification,
        respondent_groups=tuple(
            RespondentGroup(
                g["id"], g["name"], g.get("description"), float(g.get("weight", 1)), g.get("weight_rationale")
            )
            for g in data.get("respondent_groups") or ()
        ),
        default_target=_target((data.get("targets") or {}).get("default"), data["levels"]),
        domains=domains,
        scoring=_scoring(data.get("scoring") or {}, na.get("counts_as")),
        bands=_bands(data.get("bands")),
        rules=tuple(_rule(r) for r in data.get("rules") or ()),
        content_hash=content_hash(data),
        path=doc.name,
        migrations=tuple(_migration(doc, index, m) for index, m in enumerate(data.get("migrations") or ())),
    )


def _ids(value: str | list[str] | None) -> tuple[str, ...]:
    """One id or a list of them, as a tuple."""
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _migration(doc: SourceDocument, index: int, data: dict[str, Any]) -> Migration:
    line, column = doc.locate(("migrations", index))
    moves = []
    for number, entry in enumerate(data.get("questions") or ()):
        path = ("migrations", index, "questions", number)
        at = doc.locate(path)
        moves.append(
            QuestionMove(
                old=_ids(entry["old"]),
                new=_ids(entry.get("new")),
                combine=entry.get("combine"),
                levels=FrozenMap((int(old), new) for old, new in (entry.get("levels") or {}).items()),
                dropped=entry.get("dropped"),
                place=pointer(path),
                line=at[0],
                column=at[1],
            )
        )
    return Migration(
        versions=_ids(data["from"]),
        questions=tuple(moves),
        comparable=data.get("comparable"),
        note=data.get("note"),
        domains=tuple(
            DomainMapping(domain_id, d.get("comparable"), d.get("note"), d.get("old"))
            for domain_id, d in (data.get("domains") or {}).items()
        ),
        place=pointer(("migrations", index)),
        line=line,
        column=column,
    )


def _target(value: int | str | None, levels: list[dict[str, Any]]) -> int | None:
    """A target as the model holds it: a level's value, also when the rubric names the level."""
    return level_named(value, levels) if isinstance(value, str) else value


def _domain(data: dict[str, Any], na_allowed: bool, na_justification: bool, levels: list[dict[str, Any]]) -> Domain:
    return Domain(
        id=data["id"],
        title=data["title"],
        description=data.get("description"),
        weight=float(data.get("weight", 1)),
        target=_target(data.get("target"), levels),
        stage=data.get("stage"),
        weight_rationale=data.get("weight_rationale"),
        questions=tuple(_question(q, data["id"], na_allowed, na_justification, levels) for q in data["questions"]),
    )


def _question(
    data: dict[str, Any], domain_id: str, na_allowed: bool, na_justification: bool, levels: list[dict[str, Any]]
) -> Question:
    na = data.get("not_applicable") or {}
    return Question(
        id=data["id"],
        domain_id=domain_id,
        text=data["text"],
        help=data.get("help"),
        short_title=data.get("short_title"),
        weight=float(data.get("weight", 1)),
        critical=bool(data.get("critical", False)),
        target=_target(data.get("target"), levels),
        stage=data.get("stage"),
        na_allowed=bool(na.get("allowed", na_allowed)),
        na_justification=bool(na.get("justification", na_justification)),
        na_counts_as=NA_COUNTS_AS[na["counts_as"]] if "counts_as" in na else None,
        evidence_from=data.get("evidence_from", (data.get("evidence") or {}).get("from_level")),
        evidence_groups=tuple((data.get("evidence") or {}).get("groups") or ()),
        respondents=tuple(data.get("respondents") or ()),
        sources=tuple(data.get("sources") or ()),
        tags=FrozenMap((k, tuple(v)) for k, v in sorted((data.get("tags") or {}).items())),
        levels=tuple(
            LevelDescriptor(e["level"], e["descriptor"], e.get("next_step"), e.get("measure"), e.get("owner"))
            for e in data["levels"]
        ),
        measure=data.get("measure"),
        wording=FrozenMap(data.get("wording") or {}),
        help_for=FrozenMap(data.get("help_for") or {}),
        weight_rationale=data.get("weight_rationale"),
        critical_rationale=data.get("critical_rationale"),
    )


def _scoring(data: dict[str, Any], na_counts_as: str | None = None) -> Scoring:
    """``na_counts_as``: the top-level ``not_applicable.counts_as``, another way to write the rubric-wide N/A
    policy (validation refuses the two when they disagree)."""
    respondents = data.get("respondents") or {}
    evidence = data.get("evidence") or {}
    defaults = Scoring()
    return Scoring(
        respondent_aggregate=respondents.get("aggregate", defaults.respondent_aggregate),
        pooling=respondents.get("pooling", defaults.pooling),
        even_median=respondents.get("even_median", defaults.even_median),
        agreement_threshold=float(respondents.get("agreement_threshold", defaults.agreement_threshold)),
        agreement_min_respondents=respondents.get("agreement_min_respondents", defaults.agreement_min_respondents),
        min_group_size=respondents.get("min_group_size", defaults.min_group_size),
        compare=tuple((a, b) for a, b in respondents.get("compare") or ()),
        gap_threshold=float(respondents.get("gap_threshold", defaults.gap_threshold)),
        questions=data.get("questions", defaults.questions),
        domains=data.get("domains", defaults.domains),
        level_from_value=data.get("level_from_value", defaults.level_from_value),
        minimal_important_difference=(
            None if data.get("minimal_important_difference") is None else float(data["minimal_important_difference"])
        ),
        not_applicable=data.get(
            "not_applicable", NA_COUNTS_AS[na_counts_as] if na_counts_as else defaults.not_applicable
        ),
        missing=data.get("missing", defaults.missing),
        evidence=Evidence(evidence.get("on_missing", "cap"), evidence.get("max_age_days")),
    )


def _bands(data: dict[str, Any] | None) -> Bands | None:
    if not data:
        return None
    items = tuple(
        Band(b["id"], b["name"], float(b["from"]), float(b["to"]), b.get("description")) for b in data["items"]
    )
    return Bands(data.get("on", "value"), items)


def _rule(data: dict[str, Any]) -> Rule:
    raw = data.get("when") if data["type"] == "cap" else data.get("requires")
    return Rule(
        id=data["id"],
        type=data["type"],
        scope=data["scope"],
        domains=tuple(data.get("domains") or ()),
        description=data.get("description"),
        max_level=data.get("max_level"),
        level=data.get("level"),
        condition=_condition(raw) if raw is not None else None,
        met_at=data.get("met_at"),
        stages_of=data.get("stages_of", "questions"),
        sentence=data.get("sentence"),
    )


def _condition(data: dict[str, Any]) -> Condition:
    if "critical_below" in data:
        return CriticalBelow(data["critical_below"])
    for kind in ("question", "domain"):
        if kind in data:
            comparison = "below" if "below" in data else "at_least"
            return ItemLevel(kind, data[kind], comparison, data[comparison])  # type: ignore[arg-type]
    if "count" in data:
        test = next(k for k in ("level_below", "level_at", "level_at_least") if k in data)
        bound = "at_most" if "at_most" in data else "at_least"
        return Count(data["count"], test, data[test], bound, data[bound])  # type: ignore[arg-type]
    if "all" in data:
        return AllOf(tuple(_condition(c) for c in data["all"]))
    if "any" in data:
        return AnyOf(tuple(_condition(c) for c in data["any"]))
    if "not" in data:
        return Not(_condition(data["not"]))
    expression, _ = parse_expression(data["expression"])
    assert expression is not None, "validated rubrics hold only valid expressions"
    return ExpressionCondition(expression)


@dataclass(frozen=True)
class RubricSummary:
    id: str
    version: str
    title: str
    domains: int
    questions: int
    levels: int
    path: str


def _summary(rubric: Rubric, path: Path) -> RubricSummary:
    return RubricSummary(
        rubric.id,
        rubric.version,
        rubric.title,
        len(rubric.domains),
        rubric.question_count,
        len(rubric.levels),
        display_name(path),
    )


def bundled_rubrics() -> list[RubricSummary]:
    """Summaries of the bundled rubrics (each is loaded and validated)."""
    return [_summary(load_rubric(path), path) for path in bundled_rubric_paths().values()]


@dataclass(frozen=True)
class FoundRubric:
    """A rubric file on the search path: the id it is found by (its file name), where it is, and the rubric's
    summary when it is valid and its id names it alone; otherwise its problems."""

    id: str
    source: str
    """``bundled``, or the folder it is in."""
    origin: str
    """What put its folder on the search path: ``search path`` (given), ``QIMATURITY_RUBRIC_PATH`` or ``bundled``."""
    file: str
    summary: RubricSummary | None
    problems: tuple[Problem, ...] = ()

    @property
    def valid(self) -> bool:
        return self.summary is not None and not self.problems

    def to_dict(self) -> dict[str, Any]:
        """The JSON form ``qimaturity rubrics --format json`` gives for one rubric file."""
        summary = self.summary
        return {
            "id": self.id,
            "source": self.source,
            "origin": self.origin,
            "path": self.file,
            "valid": self.valid,
            "version": summary.version if summary else None,
            "title": summary.title if summary else None,
            "domains": summary.domains if summary else None,
            "questions": summary.questions if summary else None,
            "levels": summary.levels if summary else None,
            "problems": [p.to_dict() for p in self.problems],
        }


@dataclass(frozen=True)
class RubricCatalogue:
    """Every rubric file on the search path, in search order, and the problems of the path's folders."""

    rubrics: tuple[FoundRubric, ...]
    problems: tuple[Problem, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.problems and all(found.valid for found in self.rubrics)


def find_rubrics(search_path: SearchPath = None) -> RubricCatalogue:
    """Every rubric that an id can name: the files of the folders of ``search_path``, of ``QIMATURITY_RUBRIC_PATH``
    and the bundled rubrics, each read and validated. A file that is not a valid rubric, or whose id another file
    on the path also has, is listed with its problems, not left out; a folder that is missing or unreadable is a
    problem of the catalogue."""
    files, folder_problems = rubric_files(rubric_search_path(search_path))
    by_id: dict[str, list[RubricFile]] = {}
    for file in files:
        by_id.setdefault(file.id, []).append(file)
    found = []
    for file in files:
        source = BUNDLED if file.folder.origin == BUNDLED else str(file.folder.path)
        name = display_name(file.path)
        summary = None
        if not file.regular:
            problems = [Problem(name, None, None, "/", "is not a regular file", "a rubric is a YAML file")]
        else:
            doc, problems = _check_file(file.path, file.id)
            if doc is not None and not problems:
                summary = _summary(rubric_from_document(doc), file.path)
        others = [f for f in by_id[file.id] if f is not file]
        if others:
            places = "; ".join(f"{display_name(f.path)} ({f.folder.origin})" for f in by_id[file.id])
            problems = [
                *problems,
                Problem(
                    name,
                    None,
                    None,
                    "/",
                    f"rubric id '{file.id}' names {len(others) + 1} files: {places}",
                    "an id must name one rubric: rename or remove the others, or give the path of the one you mean",
                ),
            ]
        found.append(FoundRubric(file.id, source, file.folder.origin, name, summary, tuple(problems)))
    return RubricCatalogue(tuple(found), tuple(folder_problems))
