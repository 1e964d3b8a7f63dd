"""Answers given to an earlier version of a rubric, converted to its current version with the version's migration
map (what ``qimaturity migrate`` does).

:func:`migrate_document` converts one answers document (pure: a document in, the new document and a report of
what happened out); :func:`migrate_answers` reads answers files, converts each and writes the new ones to a
folder, never over an input. Per respondent, each answer goes where the map says: renamed (its level remapped when
the map gives levels), copied to each question of a split, combined with the respondent's other answers of a
merge (``min``, ``max``, ``median``, ``mean-floor``), or left behind when dropped; a question the map does not
name keeps its id when this version has it. Comments, evidence references and N/A with its justification carry
over. An answer the new version cannot take (a question no longer asked of the respondent's group, N/A where it
is no longer allowed) is left out and reported; so are the new questions left unanswered.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from qimaturity._core.documents import SourceDocument, plain_document, read_text
from qimaturity._core.kinds import ANSWERS_SUFFIXES, is_json, suffix_list, suffix_of
from qimaturity._core.order import natural_key
from qimaturity._core.outputs import make_output_folder, write_atomic
from qimaturity._core.problems import DocPath, InputError, Problem, sort_problems
from qimaturity.answers.files import _located, _respondent_entries, _schema_problems, check_answers_document
from qimaturity.rubric.checks import did_you_mean
from qimaturity.rubric.load import as_rubric
from qimaturity.rubric.migration import check_migration, combine_levels, levels_text, no_map_problem
from qimaturity.rubric.model import Migration, Question, QuestionMove, Rubric
from qimaturity.rubric.search import SearchPath

Status = Literal["migrated", "unchanged", "failed"]


@dataclass(frozen=True)
class Move:
    """One entry of the map as it applied to a file: how many answers it took."""

    kind: Literal["renamed", "remapped", "split", "merged", "dropped"]
    old: tuple[str, ...]
    new: tuple[str, ...]
    answers: int
    """Answers of the earlier version it took (each respondent's answer to each old question counts once)."""
    detail: str | None = None
    """The levels (remapped), how answers combine (merged) or the reason (dropped)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "old": list(self.old),
            "new": list(self.new),
            "answers": self.answers,
            "detail": self.detail,
        }

    def words(self) -> str:
        old, new = " + ".join(self.old), ", ".join(self.new)
        count = f"({self.answers} answer{'' if self.answers == 1 else 's'})"
        if self.kind == "dropped":
            return f"{old} {count}: {self.detail}"
        if self.kind == "merged":
            return f"{old} -> {new} by {self.detail} {count}"
        if self.kind == "remapped":
            return f"{old} -> {new}, levels {self.detail} {count}"
        return f"{old} -> {new} {count}"


@dataclass(frozen=True)
class LeftOut:
    """An answer (or a target) the new version cannot take, and why."""

    respondent: str
    """The respondent's id (``targets`` for an assessment's target)."""
    question: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"respondent": self.respondent, "question": self.question, "reason": self.reason}


@dataclass(frozen=True)
class AnswersMigration:
    """What converting one answers document did, or why it could not."""

    source: str
    rubric_id: str
    to_version: str
    status: Status
    from_version: str | None = None
    document: dict[str, Any] | None = field(default=None, compare=False, repr=False)
    """The converted answers document (the input's as it is when ``unchanged``; None when ``failed``)."""
    moves: tuple[Move, ...] = ()
    left_out: tuple[LeftOut, ...] = ()
    unanswered: tuple[str, ...] = ()
    """Questions of the new version no respondent answers after conversion."""
    missing_policy: str = "error"
    """The new version's ``scoring.missing``: with ``error`` the unanswered questions must be answered before
    the file is scored."""
    problems: tuple[Problem, ...] = ()
    output: str | None = None
    """Where the converted file was written, by :func:`migrate_answers`."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form ``qimaturity migrate --format json`` gives for one file."""
        return {
            "source": self.source,
            "output": self.output,
            "status": self.status,
            "rubric": self.rubric_id,
            "from_version": self.from_version,
            "to_version": self.to_version,
            "moves": [move.to_dict() for move in self.moves],
            "left_out": [item.to_dict() for item in self.left_out],
            "unanswered": list(self.unanswered),
            "problems": [problem.to_dict() for problem in self.problems],
        }

    def lines(self) -> list[str]:
        """The report a person reads: what was renamed, split, merged, remapped and dropped, what was left out,
        and which questions are left unanswered."""
        if self.status == "failed":
            return [f"{self.source}: not migrated: {len(self.problems)} problem(s)"]
        target = f" -> {self.output}" if self.output else ""
        head = f"{self.source}{target}: {self.rubric_id} {self.from_version} -> {self.to_version}"
        if self.status == "unchanged":
            return [f"{self.source}{target}: already version {self.to_version} of {self.rubric_id}; copied as it is"]
        lines = [head]
        for move in self.moves:
            lines.append(f"  {move.kind:<12}{move.words()}")
        # Answers left out for one reason are one line per question: a board's worth of answers to a question no
        # longer asked of the board reads as one fact, not one line per member.
        answers: dict[tuple[str, str], list[str]] = {}
        for item in self.left_out:
            if item.respondent == "targets":
                lines.append(f"  {'left out':<12}target {item.question}: {item.reason}")
            else:
                answers.setdefault((item.question, item.reason), []).append(item.respondent)
        for (question, reason), respondents in answers.items():
            lines.append(f"  {'left out':<12}{question} ({_respondents_words(respondents)}): {reason}")
        if self.unanswered:
            lines.append(f"  {'unanswered':<12}{', '.join(self.unanswered)}")
            if self.missing_policy == "error":
                lines.append(
                    f"  {'':<12}version {self.to_version} needs every question answered (scoring.missing: error): "
                    "answer these before scoring the file"
                )
        return lines


def _respondents_words(respondents: list[str], shown: int = 3) -> str:
    """``s1's answer``, ``s1's and s2's answers``, ``11 answers: board-1, board-2, board-3 and 8 more``."""
    if len(respondents) == 1:
        return f"{respondents[0]}'s answer"
    if len(respondents) == 2:
        return f"{respondents[0]}'s and {respondents[1]}'s answers"
    if len(respondents) <= shown:
        return f"{len(respondents)} answers: {', '.join(respondents[:-1])} and {respondents[-1]}"
    rest = len(respondents) - shown
    return f"{len(respondents)} answers: {', '.join(respondents[:shown])} and {rest} more"


def migrate_document(
    answers: SourceDocument | dict[str, Any], rubric: Rubric | str | Path, *, old: Rubric | str | Path | None = None
) -> AnswersMigration:
    """Convert one answers document, given to an earlier version of ``rubric`` (its ``rubric.version`` says which),
    to ``rubric``'s version with the map ``rubric`` has from it.

    ``old``, the earlier version's rubric, is optional: with it the map is checked against that version first
    (:func:`qimaturity.rubric.migration.check_migration`), the answers against their own version's questions, and
    answers that do not say their version are taken to be its. Never raises for bad input: the result's
    ``status`` is ``failed`` and its ``problems`` say why, each at its place in the answers (or the rubric).
    """
    rubric = as_rubric(rubric)
    earlier = None if old is None else as_rubric(old)
    doc = answers if isinstance(answers, SourceDocument) else plain_document(answers, "<answers>")
    if earlier is not None:
        problems = check_migration(rubric, earlier)
        if problems:
            return AnswersMigration(
                doc.name, rubric.id, rubric.version, "failed", earlier.version, problems=tuple(problems)
            )
    return _Converter(doc, rubric, earlier).run()


class _Converter:
    def __init__(self, doc: SourceDocument, rubric: Rubric, old: Rubric | None):
        self.doc = doc
        self.rubric = rubric
        self.old = old
        self.problems: list[Problem] = []
        self.counts: dict[int, int] = {}  # id(move) -> answers taken
        self.left_out: list[LeftOut] = []
        self.questions = {q.id: q for q in rubric.questions()}
        self.scale = [level.value for level in rubric.levels]

    def add(self, path: DocPath, message: str, hint: str = "", *, key: bool = False) -> None:
        self.problems.append(self.doc.problem(path, message, hint, key=key))

    def failed(self, version: str | None = None) -> AnswersMigration:
        return AnswersMigration(
            self.doc.name,
            self.rubric.id,
            self.rubric.version,
            "failed",
            version,
            problems=tuple(sort_problems(self.problems)),
        )

    def run(self) -> AnswersMigration:
        doc, rubric = self.doc, self.rubric
        schema = _schema_problems(doc) if isinstance(doc.data, dict) else []
        if not isinstance(doc.data, dict):
            self.add((), "the document is not a mapping", "an answers file is key: value lines")
        self.problems.extend([*doc.problems, *schema])
        if self.problems:
            return self.failed()
        data: dict[str, Any] = doc.data
        declared = data["rubric"]
        if declared["id"] != rubric.id:
            self.add(
                ("rubric", "id"),
                f"these answers are for rubric '{declared['id']}', not '{rubric.id}'",
                "migrate them with a version of their own rubric",
            )
            return self.failed()
        version = declared.get("version")
        if version is None and self.old is not None:
            version = self.old.version
        if version is None:
            self.add(
                ("rubric",),
                f"these answers do not say which version of {rubric.id} they were given to",
                "add version: under rubric:, or give that version's rubric with --from-rubric",
            )
            return self.failed()
        if version == rubric.version:
            return AnswersMigration(
                doc.name,
                rubric.id,
                rubric.version,
                "unchanged",
                version,
                document=data,
                missing_policy=rubric.scoring.missing,
            )
        if self.old is not None and self.old.version != version:
            self.add(
                ("rubric", "version"),
                f"these answers were given to version {version}, but the earlier rubric given is version "
                f"{self.old.version}",
                f"give version {version}'s rubric, or none",
            )
            return self.failed(version)
        migration = rubric.migration_from(version)
        if migration is None:
            problem = no_map_problem(rubric, version, doc.name)
            self.add(("rubric", "version"), problem.message, problem.hint)
            return self.failed(version)
        if self.old is not None:
            self.problems.extend(check_answers_document(doc, self.old, missing=False))
            if self.problems:
                return self.failed(version)
        document = self.convert(data, migration, version)
        if self.problems:
            return self.failed(version)
        # What the new version would still refuse: a safety net for anything the conversion did not foresee.
        for problem in check_answers_document(plain_document(document, doc.name), rubric, missing=False):
            self.problems.append(
                Problem(doc.name, None, None, problem.path, f"after migration: {problem.message}", problem.hint)
            )
        if self.problems:
            return self.failed(version)
        answered = {qid for _, entry in _respondent_entries(document) for qid in entry["answers"]}
        moves = tuple(_move(move, self.counts[id(move)]) for move in migration.questions if self.counts.get(id(move)))
        return AnswersMigration(
            doc.name,
            rubric.id,
            rubric.version,
            "migrated",
            version,
            document=document,
            moves=moves,
            left_out=tuple(self.left_out),
            unanswered=tuple(q.id for q in rubric.questions() if q.id not in answered),
            missing_policy=rubric.scoring.missing,
        )

    # --- conversion ------------------------------------------------------------------------------------------
    def convert(self, data: dict[str, Any], migration: Migration, version: str) -> dict[str, Any]:
        document = dict(data)
        document["rubric"] = {**data["rubric"], "version": self.rubric.version}
        if isinstance(data.get("answers"), dict):
            document["answers"] = self.respondent(("answers",), data["answers"], None, "r1", migration, version)
        else:
            respondents = []
            for index, entry in enumerate(data["respondents"]):
                who = str(entry.get("id", f"r{index + 1}"))
                answers = self.respondent(
                    ("respondents", index, "answers"), entry["answers"], entry.get("group"), who, migration, version
                )
                respondents.append({**entry, "answers": answers})
            document["respondents"] = respondents
        if isinstance(data.get("targets"), dict):
            targets = self.targets(data["targets"], migration)
            if targets:
                document["targets"] = targets
            else:
                document.pop("targets", None)
        return document

    def respondent(
        self,
        path: DocPath,
        answers: dict[str, Any],
        group: str | None,
        who: str,
        migration: Migration,
        version: str,
    ) -> dict[str, Any]:
        """One respondent's answers in the new version's ids, in the order of its questions."""
        given: dict[str, list[tuple[str, dict[str, Any]]]] = {}  # new id -> (old id, answer) from each source
        merges: dict[int, tuple[QuestionMove, list[tuple[str, dict[str, Any]]]]] = {}
        for old_id, value in answers.items():
            where = (*path, old_id)
            answer = _normal(value)
            move = migration.move_of(old_id)
            if move is None:
                if old_id not in self.questions:
                    known = sorted({o for m in migration.questions for o in m.old} | set(self.questions))
                    self.add(
                        where,
                        f"question '{old_id}' is neither in the map from version {version} nor in version "
                        f"{self.rubric.version}",
                        did_you_mean(old_id, known)
                        or "add it to the rubric's map: renamed (new:), split, merged or dropped (dropped: why)",
                        key=True,
                    )
                    continue
                taker = migration.moves_to(old_id)
                if taker is not None:
                    self.add(
                        where,
                        f"the answer to '{old_id}' carries over to '{old_id}' as it is, and the map also gives "
                        f"'{old_id}' the answers of {' and '.join(repr(o) for o in taker.old)}",
                        f"say in the map what becomes of old '{old_id}': rename it, merge it or drop it",
                        key=True,
                    )
                    continue
                level = self.level(where, value, answer, old_id, None)
                if level is not False:
                    given.setdefault(old_id, []).append((old_id, {**answer, "level": level}))
                continue
            self.counts[id(move)] = self.counts.get(id(move), 0) + 1
            if move.dropped is not None:
                continue
            level = self.level(where, value, answer, old_id, move)
            if level is False:
                continue
            converted = {**answer, "level": level}
            if move.kind == "merged":
                merges.setdefault(id(move), (move, []))[1].append((old_id, converted))
            else:
                for new_id in move.new:
                    given.setdefault(new_id, []).append((old_id, converted))
        for move, parts in merges.values():
            assert move.combine is not None
            given.setdefault(move.new[0], []).append((move.old[0], _merged(parts, move.combine, self.scale)))
        result: dict[str, Any] = {}
        for question in self.rubric.questions():
            sources = given.get(question.id)
            if not sources:
                continue
            (_, answer), *_ = sources
            reason = self.refused(question, answer, group)
            if reason is not None:
                self.left_out.append(LeftOut(who, question.id, reason))
                continue
            # A copy each: a split shares one answer, and YAML would write the shared parts as aliases.
            result[question.id] = copy.deepcopy(_written(answer))
        return result

    def level(
        self, where: DocPath, value: Any, answer: dict[str, Any], old_id: str, move: QuestionMove | None
    ) -> int | None | Literal[False]:
        """The answer's level on the new scale (None for N/A), or False when it has no place there (a problem)."""
        level = answer.get("level")
        if level is None:
            return None
        at = where if isinstance(value, int) else (*where, "level")
        if move is not None and move.levels:
            if level not in move.levels:
                self.add(
                    at,
                    f"'{old_id}' is answered at level {level}, which the map's levels do not place "
                    f"({levels_text(move.levels)})",
                    "map every level of the earlier version's scale",
                )
                return False
            return move.levels[level]
        if level not in self.scale:
            self.add(
                at,
                f"'{old_id}' is answered at level {level}, which is not on the scale of version "
                f"{self.rubric.version}, and the map gives no levels for it",
                f"add levels: (old level -> new level) to the map entry; levels are {', '.join(map(str, self.scale))}",
            )
            return False
        return int(level)

    def refused(self, question: Question, answer: dict[str, Any], group: str | None) -> str | None:
        """Why the new version cannot take this answer to ``question``, or None."""
        if group is not None and question.respondents and group not in question.respondents:
            return f"version {self.rubric.version} does not ask it of the {group} group"
        if answer.get("level") is None:
            if not question.na_allowed:
                return f"N/A, which version {self.rubric.version} does not allow on it"
            if question.na_justification and not answer.get("justification"):
                return f"N/A without the justification version {self.rubric.version} asks for"
        return None

    def targets(self, targets: dict[str, Any], migration: Migration) -> dict[str, Any]:
        """An assessment's targets in the new version's ids: a domain's or ``overall`` kept where the domain is
        still there; a question's follows its answers (renamed, split, levels remapped), except into a merge or a
        drop, which leaves it out (reported)."""
        domains = {d.id for d in self.rubric.domains}
        renamed = {d.old: d.id for d in migration.domains if d.old}
        result: dict[str, Any] = {}
        for ident, level in targets.items():
            if ident == "overall" or (ident in domains and ident not in renamed):
                result[ident] = level
                continue
            if ident in renamed:
                result[renamed[ident]] = level
                continue
            move = migration.move_of(ident)
            if move is None:
                if ident in self.questions:
                    result[ident] = level
                else:
                    why = f"version {self.rubric.version} has no domain or question '{ident}'"
                    self.left_out.append(LeftOut("targets", ident, why))
                continue
            if move.kind in ("dropped", "merged"):
                why = "its question is dropped" if move.kind == "dropped" else "its question is merged: set it again"
                self.left_out.append(LeftOut("targets", ident, why))
                continue
            new_level = move.levels.get(level, level) if move.levels else level
            if new_level not in self.scale:
                self.left_out.append(LeftOut("targets", ident, f"level {level} has no place on the new scale"))
                continue
            for new_id in move.new:
                result[new_id] = new_level
        return result


def _normal(value: Any) -> dict[str, Any]:
    """An answer as a mapping: ``{"level": 3}`` for ``3``."""
    return {"level": value} if isinstance(value, int) else dict(value)


def _written(answer: dict[str, Any]) -> Any:
    """An answer as an answers file writes it: a bare level when it has nothing else, else a mapping with level
    (or na), justification, comment and evidence in that order."""
    level = answer.get("level")
    rest = {key: answer[key] for key in ("justification", "comment", "evidence") if answer.get(key)}
    if level is not None and not rest:
        return level
    head: dict[str, Any] = {"level": level} if level is not None else {"na": True}
    return {**head, **rest}


def _merged(parts: Sequence[tuple[str, dict[str, Any]]], how: Any, scale: Sequence[int]) -> dict[str, Any]:
    """One respondent's answers to the questions of a merge as one answer: the levels combined (N/A answers left
    out of it, and said in the comment); N/A only when every part is, with the justifications joined; comments
    joined, each after its old question's id when there are several; the evidence cited, each item once."""
    levels = [answer["level"] for _, answer in parts if answer.get("level") is not None]
    several = len(parts) > 1

    def joined(key: str, picked: Iterable[tuple[str, dict[str, Any]]]) -> str | None:
        texts = [(old_id, answer[key]) for old_id, answer in picked if answer.get(key)]
        if not texts:
            return None
        return "\n".join(f"{old_id}: {text}" if several else text for old_id, text in texts)

    merged: dict[str, Any] = {}
    if levels:
        merged["level"] = combine_levels(how, levels, scale)
        notes = [
            (old_id, {"comment": f"N/A ({answer.get('justification') or 'no justification'})"})
            for old_id, answer in parts
            if answer.get("level") is None
        ]
        comment = joined("comment", [*parts, *notes])
    else:
        merged["justification"] = joined("justification", parts)
        comment = joined("comment", parts)
    if comment:
        merged["comment"] = comment
    evidence: list[Any] = []
    seen: set[str] = set()
    for _, answer in parts:
        for item in answer.get("evidence") or ():
            key = json.dumps(item, sort_keys=True)
            if key not in seen:
                seen.add(key)
                evidence.append(item)
    if evidence:
        merged["evidence"] = evidence
    return merged


def _move(move: QuestionMove, answers: int) -> Move:
    if move.kind == "dropped":
        return Move("dropped", move.old, (), answers, move.dropped)
    if move.kind == "merged":
        detail = str(move.combine)
        if move.levels:
            detail = f"{detail}, levels {levels_text(move.levels)}"
        return Move("merged", move.old, move.new, answers, detail)
    if move.kind == "split":
        return Move("split", move.old, move.new, answers, levels_text(move.levels) if move.levels else None)
    if not move.one_to_one:
        return Move("remapped", move.old, move.new, answers, levels_text(move.levels))
    return Move("renamed", move.old, move.new, answers)


# --- files ---------------------------------------------------------------------------------------------------------


def _files(paths: Iterable[str | Path]) -> list[Path]:
    """Answers files; a folder stands for the YAML and JSON files directly in it, by name."""
    files: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found = sorted(
                (p for p in path.iterdir() if suffix_of(p) in ANSWERS_SUFFIXES and p.is_file()),
                key=lambda p: natural_key(p.name),
            )
            if not found:
                raise InputError.single(
                    str(path), "the folder holds no answers files", f"expected {suffix_list(ANSWERS_SUFFIXES)} files"
                )
            files.extend(found)
        else:
            files.append(path)
    return files


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def migrate_answers(
    rubric: Rubric | str | Path,
    answers: str | Path | Iterable[str | Path],
    output: str | Path,
    *,
    from_rubrics: Iterable[Rubric | str | Path] = (),
    search_path: SearchPath = None,
) -> list[AnswersMigration]:
    """Convert answers files given to earlier versions of ``rubric`` to its version (see :func:`migrate_document`)
    and write each to the folder ``output`` (created) under its own name, YAML as YAML and JSON as JSON; a file
    already of ``rubric``'s version is copied as it is. An input is never overwritten (an output that would be
    one of the inputs is refused), and each output is written atomically.

    ``from_rubrics``: earlier versions' rubrics; each file given to one of their versions is checked against it,
    and each map against its earlier version before any file is read. A file that cannot be converted is
    reported (``status`` ``failed``, with its problems) and the others are still written. Raises
    :class:`InputError` for a bad rubric, a map that does not fit its earlier version, or no files.
    """
    rubric = as_rubric(rubric, search_path=search_path)
    earlier = {old.version: old for old in (as_rubric(r, search_path=search_path) for r in from_rubrics)}
    map_problems = [p for old in earlier.values() for p in check_migration(rubric, old)]
    if map_problems:
        raise InputError(map_problems)
    files = _files([answers] if isinstance(answers, str | Path) else answers)
    if not files:
        raise InputError.single(str(output), "no answers files to migrate", "name answers files or a folder of them")
    folder = make_output_folder(output)
    written: dict[Path, str] = {}
    reports = []
    for path in files:
        name = str(path)
        target = folder / path.name
        problem = _input_problem(path, target, files, written)
        if problem is not None:
            reports.append(AnswersMigration(name, rubric.id, rubric.version, "failed", problems=(problem,)))
            continue
        try:
            text = read_text(path, display=name)
            doc = _parse(text, name)
        except InputError as error:
            reports.append(AnswersMigration(name, rubric.id, rubric.version, "failed", problems=error.problems))
            continue
        declared = doc.data.get("rubric") if isinstance(doc.data, dict) else None
        version = declared.get("version") if isinstance(declared, dict) else None
        old = (
            earlier.get(version)
            if isinstance(version, str)
            else (next(iter(earlier.values())) if len(earlier) == 1 else None)
        )
        report = _Converter(doc, rubric, old).run()
        if report.status == "failed":
            located = _located(doc, text)
            if located is not doc:
                report = _Converter(located, rubric, old).run()
            reports.append(report)
            continue
        assert report.document is not None
        out_text = text if report.status == "unchanged" else _dump(report.document, path, report.from_version, rubric)
        try:
            write_atomic(target, out_text)
        except InputError as error:
            reports.append(dataclasses.replace(report, status="failed", document=None, problems=error.problems))
            continue
        written[target.resolve()] = name
        reports.append(_with_output(report, str(target)))
    return reports


def _input_problem(path: Path, target: Path, files: Sequence[Path], written: dict[Path, str]) -> Problem | None:
    name = str(path)
    if suffix_of(path) not in ANSWERS_SUFFIXES:
        return Problem(
            name,
            None,
            None,
            "/",
            "migrate converts answers files (YAML or JSON)",
            "turn an export, a filled template or FHIR responses into answers files with qimaturity import, using "
            "the rubric version they were given to, then migrate those",
        )
    if any(_same_file(target, other) for other in files):
        return Problem(
            name,
            None,
            None,
            "/",
            f"the output {target} would replace an input",
            "write to another folder: -o takes a folder the inputs are not in",
        )
    if target.resolve() in written:
        return Problem(
            name,
            None,
            None,
            "/",
            f"the output {target} is already written from {written[target.resolve()]}",
            "migrate files of the same name in separate runs, to separate folders",
        )
    return None


def _parse(text: str, name: str) -> SourceDocument:
    from qimaturity.answers.files import parse_answers_text

    return parse_answers_text(text, name)


def _dump(document: dict[str, Any], source: Path, version: str | None, rubric: Rubric) -> str:
    from qimaturity.answers.exports import dump_answers

    if is_json(source):
        return dump_answers(document, json_format=True)
    header = f"# Migrated from {source.name} (version {version}) to version {rubric.version} by qimaturity migrate\n"
    return header + dump_answers(document)


def _with_output(report: AnswersMigration, output: str) -> AnswersMigration:
    return dataclasses.replace(report, output=output)
