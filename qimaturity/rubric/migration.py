"""Migration maps at work: what a map says about an answer, a map checked against the earlier version it converts
from, and which values may be compared across the version change.

Pure: rubrics in, levels, problems and bridges out. Converting answers files is
:mod:`qimaturity.answers.migrate`'s; trends across versions are :mod:`qimaturity.cohort.model`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from qimaturity._core.problems import Problem
from qimaturity.rubric.checks import did_you_mean
from qimaturity.rubric.model import Combine, Domain, Migration, Question, QuestionMove, Rubric

MAX_REASONS = 3
"""Reasons a domain is not comparable named in its note; the others are counted."""


def combine_levels(how: Combine, levels: Sequence[int], scale: Sequence[int]) -> int:
    """One level from several answers of one respondent to merged questions: the lowest (``min``), the highest
    (``max``), the median (of an even count, the lower of the middle two, so that a merge never rounds up), or the
    mean rounded down to a level of ``scale`` (``mean-floor``: the highest level at or below the mean)."""
    if not levels:
        raise ValueError("no levels to combine")
    ordered = sorted(levels)
    if how == "min":
        return ordered[0]
    if how == "max":
        return ordered[-1]
    if how == "median":
        return ordered[(len(ordered) - 1) // 2]
    mean = sum(ordered) / len(ordered)
    return max(level for level in scale if level <= mean + 1e-9)


def levels_text(levels: Any) -> str:
    """A levels map in words: ``1->1, 2->1, 3->2``."""
    return ", ".join(f"{old}->{new}" for old, new in levels.items())


def _problem(rubric: Rubric, where: QuestionMove | Migration, message: str, hint: str = "") -> Problem:
    return Problem(rubric.path or rubric.id, where.line, where.column, where.place or "/", message, hint)


def check_migration(rubric: Rubric, old: Rubric) -> list[Problem]:
    """The problems of ``rubric``'s map from ``old``'s version that only ``old`` can show: old ids it does not
    have, old levels the map gives no place on the new scale, and old questions the map leaves with nowhere to go
    (neither listed nor in this version) or sends where another entry's answers go. Empty when the map is sound;
    a single problem when there is no map from that version."""
    where = rubric.path or rubric.id
    if old.id != rubric.id:
        return [
            Problem(where, None, None, "/", f"{rubric.id} cannot convert answers given to another rubric, {old.id}")
        ]
    migration = rubric.migration_from(old.version)
    if migration is None:
        return [no_map_problem(rubric, old.version)]
    problems: list[Problem] = []
    old_questions = {q.id: q for q in old.questions()}
    new_questions = {q.id: q for q in rubric.questions()}
    old_scale = [level.value for level in old.levels]
    new_scale = {level.value for level in rubric.levels}
    label = f"version {old.version} of {old.id}"
    for move in migration.questions:
        for old_id in move.old:
            if old_id not in old_questions:
                hint = did_you_mean(old_id, old_questions) or f"check the question ids of {label}"
                problems.append(
                    _problem(rubric, move, f"the map names old question '{old_id}', which {label} lacks", hint)
                )
        if move.dropped is not None:
            continue
        if move.levels:
            missing = [level for level in old_scale if level not in move.levels]
            if missing:
                problems.append(
                    _problem(
                        rubric,
                        move,
                        f"the map entry for '{move.old[0]}' gives no new level for old level(s) "
                        f"{', '.join(map(str, missing))}",
                        f"map every level of {label}'s scale ({', '.join(map(str, old_scale))})",
                    )
                )
            strays = [level for level in move.levels if level not in old_scale]
            if strays:
                problems.append(
                    _problem(
                        rubric,
                        move,
                        f"the map entry for '{move.old[0]}' maps level(s) {', '.join(map(str, strays))}, which "
                        f"{label}'s scale does not have",
                        f"its levels are {', '.join(map(str, old_scale))}",
                    )
                )
        else:
            off = [level for level in old_scale if level not in new_scale]
            if off:
                problems.append(
                    _problem(
                        rubric,
                        move,
                        f"old level(s) {', '.join(map(str, off))} of '{move.old[0]}' are not on this version's scale",
                        "add levels: to the entry, old level -> new level",
                    )
                )
    for old_id in old_questions:
        if migration.move_of(old_id) is not None:
            continue
        if old_id not in new_questions:
            problems.append(
                _problem(
                    rubric,
                    migration,
                    f"old question '{old_id}' of {label} is neither in the map nor in this version: its answers "
                    "would have nowhere to go",
                    f"add it to the map: {{old: {old_id}, new: ...}} or {{old: {old_id}, dropped: why}}",
                )
            )
            continue
        taker = migration.moves_to(old_id)
        if taker is not None:
            problems.append(
                _problem(
                    rubric,
                    migration,
                    f"old question '{old_id}' carries over to '{old_id}' as it is, and the map also gives "
                    f"'{old_id}' the answers of {', '.join(repr(o) for o in taker.old)}",
                    f"say what becomes of old '{old_id}': rename it, merge it or drop it",
                )
            )
        off = [level for level in old_scale if level not in new_scale]
        if off:
            problems.append(
                _problem(
                    rubric,
                    migration,
                    f"old question '{old_id}' carries over as it is, but its level(s) {', '.join(map(str, off))} "
                    "are not on this version's scale",
                    f"add an entry {{old: {old_id}, new: {old_id}, levels: {{...}}}}",
                )
            )
    return problems


def no_map_problem(rubric: Rubric, version: str, file: str | None = None) -> Problem:
    """The problem of answers (or a rubric) of ``version``, which ``rubric`` has no map from."""
    known = sorted({v for m in rubric.migrations for v in m.versions})
    hint = (
        f"it has maps from {', '.join(known)}"
        if known
        else f'add a map to the rubric: migrations: [{{from: "{version}", questions: [...]}}]'
    )
    return Problem(
        file or rubric.path or rubric.id,
        None,
        None,
        "/rubric/version" if file else "/migrations",
        f"version {rubric.version} of {rubric.id} has no map from version {version}",
        hint,
    )


# --- comparable values --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DomainBridge:
    """Whether one domain's values before and after a version change may be compared, and why not."""

    id: str
    """The domain's id in the later version."""
    old_id: str
    """Its id in the earlier version (the same unless the map says it was renamed)."""
    comparable: bool
    note: str | None = None
    """Why not, in words: the map's note, or the changes found; or the map's note on a comparable domain."""


@dataclass(frozen=True)
class VersionBridge:
    """What may be compared across one version change of a rubric, as its later version's map says."""

    rubric_id: str
    old_version: str
    version: str
    domains: tuple[DomainBridge, ...]
    overall_comparable: bool
    overall_note: str | None = None

    def domain(self, domain_id: str) -> DomainBridge | None:
        return next((d for d in self.domains if d.id == domain_id), None)


def version_bridge(rubric: Rubric, old_version: str, old: Rubric | None = None) -> VersionBridge | None:
    """Which values of results scored with ``old_version`` may be compared with results scored with ``rubric``:
    None when ``rubric`` has no map from that version.

    A domain is comparable when the map says so (``domains: {ID: {comparable: ...}}``, else the map's own
    ``comparable``); without either, when its questions map one to one: every question of the domain comes from
    one question of the same domain in ``old`` (the same id, or a rename without levels remapped), none is new,
    none of the old domain's questions is dropped or moved away, and the scale, the weights, who is asked each
    question and how answers, questions and N/A answers are combined are unchanged. Without ``old`` that cannot be
    checked, and a domain the map says nothing of is not comparable. The overall value is comparable only when
    every domain is, the two versions have the same domains, and (unless the map says ``comparable: true``) their
    weights and how domains combine are unchanged; never when the map says ``comparable: false``.
    """
    migration = rubric.migration_from(old_version)
    if migration is None:
        return None
    domains = tuple(_domain_bridge(rubric, domain, migration, old, old_version) for domain in rubric.domains)
    reasons: list[str] = []
    if migration.comparable is False:
        reasons.append("the map says values are not comparable")
    not_comparable = [d.id for d in domains if not d.comparable]
    if not_comparable:
        reasons.append(f"not every domain is comparable ({', '.join(not_comparable)})")
    if old is not None and migration.comparable is not True:
        renamed = {d.old_id: d.id for d in domains}
        gone = [d.id for d in old.domains if d.id not in renamed]
        if gone:
            reasons.append(f"domain(s) {', '.join(gone)} of {old_version} are gone")
        if old.scoring.domains != rubric.scoring.domains:
            reasons.append(f"domains are combined by {rubric.scoring.domains}, not {old.scoring.domains}")
        for d in old.domains:
            new_id = renamed.get(d.id)
            if new_id is not None and rubric.domain(new_id).weight != d.weight:
                reasons.append(f"domain {new_id}'s weight changed")
    elif old is None and migration.comparable is not True:
        reasons.append(f"the rubric of version {old_version} was not given, so its domains cannot be checked")
    comparable = not reasons
    note = migration.note if migration.note else None
    if not comparable and note is None:
        note = _reasons(reasons)
    return VersionBridge(rubric.id, old_version, rubric.version, domains, comparable, note)


def _reasons(reasons: Sequence[str]) -> str:
    shown = "; ".join(reasons[:MAX_REASONS])
    more = len(reasons) - MAX_REASONS
    return shown + (f"; and {more} more change(s)" if more > 0 else "")


def _domain_bridge(
    rubric: Rubric, domain: Domain, migration: Migration, old: Rubric | None, old_version: str
) -> DomainBridge:
    said = migration.domain(domain.id)
    old_id = said.old if said is not None and said.old else domain.id
    explicit = said.comparable if said is not None and said.comparable is not None else migration.comparable
    note = said.note if said is not None else None
    if explicit is not None:
        if not explicit and note is None:
            note = migration.note or f"the map says its values before {rubric.version} are not comparable"
        return DomainBridge(domain.id, old_id, explicit, note)
    if old is None:
        reason = f"the rubric of version {old_version} was not given, so its questions cannot be checked"
        return DomainBridge(domain.id, old_id, False, note or reason)
    reasons = _changes(rubric, domain, migration, old, old_id)
    if reasons:
        return DomainBridge(domain.id, old_id, False, note or _reasons(reasons))
    return DomainBridge(domain.id, old_id, True, note)


def _changes(rubric: Rubric, domain: Domain, migration: Migration, old: Rubric, old_id: str) -> list[str]:
    """What keeps a domain's values before and after from meaning the same, one phrase each."""
    old_domain = next((d for d in old.domains if d.id == old_id), None)
    if old_domain is None:
        return [f"new in {rubric.version}"]
    reasons: list[str] = []
    if [lv.value for lv in old.levels] != [lv.value for lv in rubric.levels]:
        reasons.append("the level scale changed")
    for setting, words in (
        ("respondent_aggregate", "respondents are combined"),
        ("pooling", "respondents are pooled"),
        ("even_median", "an even median is taken"),
        ("questions", "questions are combined"),
        ("not_applicable", "N/A answers count"),
    ):
        before, after = getattr(old.scoring, setting), getattr(rubric.scoring, setting)
        if before != after:
            reasons.append(f"{words} differently ({before} -> {after})")
    if rubric.scoring.pooling == "groups" and old.respondent_groups != rubric.respondent_groups:
        reasons.append("the respondent groups or their weights changed")
    in_old = {q.id: q for q in old_domain.questions}
    for question in domain.questions:
        move = migration.moves_to(question.id)
        if move is None and migration.move_of(question.id) is None and question.id in in_old:
            source = in_old[question.id]
        elif move is None:
            elsewhere = any(q.id == question.id for q in old.questions()) and migration.move_of(question.id) is None
            reasons.append(f"{question.id} comes from another domain" if elsewhere else f"{question.id} is new")
            continue
        elif move.kind == "split":
            reasons.append(f"{question.id} is split from {move.old[0]}")
            continue
        elif move.kind == "merged":
            reasons.append(f"{question.id} merges {' and '.join(move.old)}")
            continue
        elif not move.one_to_one:
            reasons.append(f"{question.id}'s levels are remapped ({levels_text(move.levels)})")
            continue
        elif move.old[0] not in in_old:
            reasons.append(f"{question.id} comes from another domain ({move.old[0]})")
            continue
        else:
            source = in_old[move.old[0]]
        reasons.extend(_question_changes(source, question, old, rubric))
    here = {q.id for q in domain.questions}
    for question in old_domain.questions:
        move = migration.move_of(question.id)
        if move is not None and move.kind == "dropped":
            reasons.append(f"{question.id} is dropped")
            continue
        destinations = move.new if move is not None else (question.id,)
        if not here.intersection(destinations):
            reasons.append(f"{question.id} moved to another domain")
    return reasons


def _question_changes(old: Question, new: Question, old_rubric: Rubric, rubric: Rubric) -> list[str]:
    reasons = []
    if old.weight != new.weight:
        reasons.append(f"{new.id}'s weight changed")
    if _asked(old, old_rubric) != _asked(new, rubric):
        reasons.append(f"{new.id} is asked of other groups")
    if old_rubric.na_policy(old) != rubric.na_policy(new):
        reasons.append(f"{new.id}'s N/A answers count differently")
    return reasons


def _asked(question: Question, rubric: Rubric) -> set[str]:
    """The groups a question is asked of (none listed: every group)."""
    return set(question.respondents or (g.id for g in rubric.respondent_groups))
