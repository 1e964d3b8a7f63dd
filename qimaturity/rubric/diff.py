"""What changed between two versions of a rubric (what ``qimaturity rubric diff`` shows).

Pure: two rubrics in, a :class:`RubricDiff` out, as data (:meth:`RubricDiff.to_dict`, the JSON form) and as text
for a terminal (:meth:`RubricDiff.text`). When the newer rubric carries a migration map from the older one's
version, questions are paired as the map says: a renamed question shows as renamed (with what else changed in
it), not as one removed and one added; splits, merges, remapped levels and dropped questions show as such.

Fields are compared generically (every field of the model's questions, levels, domains, groups, bands, rules and
scoring settings), so that a field added to the format is diffed without a change here; ``_WORDS`` only names
them for people.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from qimaturity._core.frozen import FrozenMap
from qimaturity.rubric.migration import levels_text
from qimaturity.rubric.model import Migration, Question, Rubric, Rule
from qimaturity.rubric.wording import condition_text

DIFF_FORMAT = 1
"""The version of the JSON form (``format`` in it); raised when a key changes meaning or goes."""

Status = Literal["added", "removed", "changed", "renamed", "remapped", "split", "merged", "dropped"]


@dataclass(frozen=True)
class FieldChange:
    """One field whose value differs: ``field`` as a dotted path (``text``, ``levels.3.next_step``,
    ``respondents.aggregate``), the values as plain data (``None`` where absent)."""

    field: str
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class ItemDiff:
    """One question, domain, level, group, band or rule that was added, removed or changed.

    ``id`` is the item's id in the newer rubric (the older one's when removed or dropped); ``old_ids`` are its
    ids in the older rubric when they differ or are several (renamed, remapped, split, merged, dropped), and
    ``new_ids`` the newer ids of a split."""

    id: str
    status: Status
    changes: tuple[FieldChange, ...] = ()
    old_ids: tuple[str, ...] = ()
    new_ids: tuple[str, ...] = ()
    domain: str | None = None
    """A question's domain in the newer rubric (the older one's when removed or dropped)."""
    old_domain: str | None = None
    """A question's domain in the older rubric, when it moved to another."""
    detail: str | None = None
    """How a merge combines answers, a remap's levels (``1->1, 2->1``), or why a question was dropped."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "old_ids": list(self.old_ids),
            "new_ids": list(self.new_ids),
            "domain": self.domain,
            "old_domain": self.old_domain,
            "detail": self.detail,
            "changes": [change.to_dict() for change in self.changes],
        }


@dataclass(frozen=True)
class RubricDiff:
    """Every difference between two rubrics that changes what is asked or how it is scored, by section."""

    old: tuple[str, str, str]
    """The older rubric's id, version and content hash."""
    new: tuple[str, str, str]
    map_from: str | None
    """The version whose map paired the questions (the older rubric's), or None when the newer has none from it."""
    rubric: tuple[FieldChange, ...] = ()
    """Title, description, licence, authors, sources, frameworks, default target, N/A defaults, bands' basis."""
    levels: tuple[ItemDiff, ...] = ()
    groups: tuple[ItemDiff, ...] = ()
    domains: tuple[ItemDiff, ...] = ()
    questions: tuple[ItemDiff, ...] = ()
    scoring: tuple[FieldChange, ...] = ()
    bands: tuple[ItemDiff, ...] = ()
    rules: tuple[ItemDiff, ...] = ()

    @property
    def same(self) -> bool:
        """True when nothing differs but the id and version (a change of layout or comments only)."""
        return not any(
            (self.rubric, self.levels, self.groups, self.domains, self.questions, self.scoring, self.bands, self.rules)
        )

    def counts(self) -> dict[str, int]:
        """How many questions have each status, statuses in a fixed order, those with none left out."""
        found = {status: sum(1 for q in self.questions if q.status == status) for status in _QUESTION_ORDER}
        return {status: n for status, n in found.items() if n}

    def to_dict(self) -> dict[str, Any]:
        """The JSON form ``rubric diff --format json`` gives (documented in docs/rubric-format.md)."""

        def ref(triple: tuple[str, str, str]) -> dict[str, str]:
            return {"id": triple[0], "version": triple[1], "content_hash": triple[2]}

        return {
            "format": DIFF_FORMAT,
            "old": ref(self.old),
            "new": ref(self.new),
            "map_from": self.map_from,
            "same": self.same,
            "summary": self.counts(),
            "rubric": [c.to_dict() for c in self.rubric],
            "levels": [i.to_dict() for i in self.levels],
            "groups": [i.to_dict() for i in self.groups],
            "domains": [i.to_dict() for i in self.domains],
            "questions": [i.to_dict() for i in self.questions],
            "scoring": [c.to_dict() for c in self.scoring],
            "bands": [i.to_dict() for i in self.bands],
            "rules": [i.to_dict() for i in self.rules],
        }

    def text(self) -> str:
        """The differences as a rubric author reads them in a terminal: a heading, then each section, questions
        grouped by what happened to them, each changed field with its old and new value."""
        old_id, old_version, _ = self.old
        new_id, new_version, _ = self.new
        names = (
            f"{old_id} {old_version} -> {new_version}"
            if old_id == new_id
            else f"{old_id} {old_version} -> {new_id} {new_version}"
        )
        if self.map_from is not None:
            how = f"questions paired by its map from {self.map_from}"
        else:
            how = f"no map from {old_version}: a question whose id changed shows as removed and added"
        lines = [f"{names} ({how})"]
        if self.same:
            lines.append("No differences in what is asked or how it is scored.")
            return "\n".join(lines) + "\n"
        counts = self.counts()
        if counts:
            lines.append("Questions: " + ", ".join(f"{n} {status}" for status, n in counts.items()))
        _section(lines, "Rubric", [], self.rubric)
        _section(lines, "Levels", self.levels)
        _section(lines, "Respondent groups", self.groups)
        _section(lines, "Domains", self.domains)
        questions = sorted(self.questions, key=lambda q: _QUESTION_ORDER.index(q.status))
        _section(lines, "Questions", questions)
        _section(lines, "Scoring", [], self.scoring)
        _section(lines, "Bands", self.bands)
        _section(lines, "Rules", self.rules)
        return "\n".join(lines) + "\n"


_QUESTION_ORDER: tuple[Status, ...] = (
    "added",
    "removed",
    "dropped",
    "renamed",
    "remapped",
    "split",
    "merged",
    "changed",
)

_WORDS = {
    "na_allowed": "N/A allowed",
    "na_justification": "N/A needs a justification",
    "na_counts_as": "N/A counts as",
    "evidence_from": "evidence from level",
    "evidence_groups": "evidence asked of",
    "respondents": "asked of",
    "default_target": "default target",
    "respondent_aggregate": "respondents.aggregate",
    "pooling": "respondents.pooling",
    "even_median": "respondents.even_median",
    "agreement_threshold": "respondents.agreement_threshold",
    "agreement_min_respondents": "respondents.agreement_min_respondents",
    "min_group_size": "respondents.min_group_size",
    "compare": "respondents.compare",
    "gap_threshold": "respondents.gap_threshold",
    "lower": "from",
    "upper": "to",
}


def _name(field: str) -> str:
    parts = field.split(".")
    if len(parts) >= 2 and parts[0] == "levels" and parts[1].lstrip("-").isdigit():
        rest = " ".join(_WORDS.get(p, p) for p in parts[2:])
        return f"level {parts[1]}" + (f" {rest}" if rest else "")
    return _WORDS.get(field, field)


def _change_text(change: FieldChange) -> str:
    """A changed field in words. Lists of entries with ids (sources, frameworks) say which entries were added,
    removed or changed, rather than printing both lists."""
    old, new = change.old, change.new
    if _entries(old) and _entries(new) and (old or new):
        before = {e["id"]: e for e in old or []}
        after = {e["id"]: e for e in new or []}
        parts = [
            f"{word} {', '.join(ids)}"
            for word, ids in (
                ("added", [i for i in after if i not in before]),
                ("removed", [i for i in before if i not in after]),
                ("changed", [i for i in after if i in before and before[i] != after[i]]),
            )
            if ids
        ]
        return f"{_name(change.field)}: {'; '.join(parts) or 'reordered'}"
    return f"{_name(change.field)}: {_shown(old)} -> {_shown(new)}"


def _entries(value: Any) -> bool:
    return value is None or (isinstance(value, list) and all(isinstance(v, dict) and "id" in v for v in value))


def _shown(value: Any) -> str:
    if value is None or value == [] or value == {}:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ", ".join(_shown(v) if not isinstance(v, str) else v for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_shown(v) if not isinstance(v, str) else v}" for k, v in value.items())
    return str(value)


def _section(lines: list[str], title: str, items: Sequence[ItemDiff], fields: Sequence[FieldChange] = ()) -> None:
    if not items and not fields:
        return
    lines.append("")
    lines.append(title)
    for change in fields:
        lines.append(f"  {_change_text(change)}")
    for item in items:
        lines.append(f"  {item.status:<10} {_headline(item)}")
        for change in item.changes:
            lines.append(f"             {_change_text(change)}")


def _headline(item: ItemDiff) -> str:
    where = ""
    if item.old_domain is not None:
        where = f" (moved from {item.old_domain} to {item.domain})"
    elif item.domain is not None:
        where = f" ({item.domain})"
    if item.status == "split":
        return f"{item.old_ids[0]} -> {', '.join(item.new_ids)}{where}"
    if item.status == "merged":
        return f"{' + '.join(item.old_ids)} -> {item.id} by {item.detail}{where}"
    if item.status == "dropped":
        return f"{item.id}{where}: {item.detail}"
    if item.status == "remapped":
        names = f"{item.old_ids[0]} -> {item.id}" if item.old_ids and item.old_ids[0] != item.id else item.id
        return f"{names}, levels {item.detail}{where}"
    if item.status == "renamed":
        return f"{item.old_ids[0]} -> {item.id}{where}"
    return f"{item.id}{where}"


# --- comparing ------------------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A model value as JSON data: tuples as lists, maps as dicts (keys as text), numbers as given."""
    if isinstance(value, FrozenMap | Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.compare}
    return value


def _fields(old: Any, new: Any, skip: Iterable[str] = (), prefix: str = "") -> list[FieldChange]:
    """The fields of two model objects of one kind that differ (nested settings flattened: ``evidence.on_missing``);
    fields that take no part in comparing (places in the file) are left out."""
    skipped = set(skip)
    changes = []
    for f in dataclasses.fields(new):
        if f.name in skipped or not f.compare:
            continue
        before, after = getattr(old, f.name, None), getattr(new, f.name, None)
        if before == after:
            continue
        if dataclasses.is_dataclass(before) and dataclasses.is_dataclass(after) and type(before) is type(after):
            changes.extend(_fields(before, after, prefix=f"{prefix}{f.name}."))
            continue
        if isinstance(before, Mapping) and isinstance(after, Mapping) and before and after:
            # A mapping (wording, help_for, tags) key by key: wording.frontline
            for key in [*before, *(k for k in after if k not in before)]:
                if before.get(key) != after.get(key):
                    changes.append(
                        FieldChange(f"{prefix}{f.name}.{key}", _plain(before.get(key)), _plain(after.get(key)))
                    )
            continue
        changes.append(FieldChange(prefix + f.name, _plain(before), _plain(after)))
    return changes


def _question_changes(old: Question, new: Question) -> tuple[FieldChange, ...]:
    changes = _fields(old, new, skip=("id", "domain_id", "levels"))
    values = sorted({entry.level for entry in (*old.levels, *new.levels)})
    for value in values:
        before, after = old.descriptor(value), new.descriptor(value)
        if before is None or after is None:
            shown = {"added": after, "removed": before}
            for what, entry in shown.items():
                if entry is not None:
                    changes.append(
                        FieldChange(
                            f"levels.{value}",
                            None if what == "added" else entry.descriptor,
                            entry.descriptor if what == "added" else None,
                        )
                    )
            continue
        changes.extend(_fields(before, after, skip=("level",), prefix=f"levels.{value}."))
    return tuple(changes)


def _by_id(
    old_items: Sequence[Any], new_items: Sequence[Any], key: Any, skip: Iterable[str], compare: Any = None
) -> list[ItemDiff]:
    """Items matched by ``key``: added (in the newer order), changed, then removed (in the older order)."""
    olds = {key(item): item for item in old_items}
    news = {key(item): item for item in new_items}
    found = []
    for ident, item in news.items():
        if ident not in olds:
            found.append(ItemDiff(str(ident), "added"))
            continue
        changes = compare(olds[ident], item) if compare else _fields(olds[ident], item, skip=skip)
        if changes:
            found.append(ItemDiff(str(ident), "changed", tuple(changes)))
    found.extend(ItemDiff(str(ident), "removed") for ident in olds if ident not in news)
    return found


def _rule_changes(old: Rule, new: Rule) -> list[FieldChange]:
    changes = _fields(old, new, skip=("id", "condition"))
    before = condition_text(old.condition) if old.condition is not None else None
    after = condition_text(new.condition) if new.condition is not None else None
    if before != after:
        changes.append(FieldChange("condition", before, after))
    return changes


def rubric_diff(old: Rubric, new: Rubric) -> RubricDiff:
    """The differences between two rubrics, ``old`` the earlier. With a migration map in ``new`` from ``old``'s
    version, questions are paired as it says (renamed, remapped, split, merged, dropped); without one, by id."""
    migration = new.migration_from(old.version)
    rubric_fields = _fields(
        old,
        new,
        skip=(
            "id",
            "version",
            "content_hash",
            "levels",
            "domains",
            "respondent_groups",
            "scoring",
            "bands",
            "rules",
            "path",
            "migrations",
        ),
    )
    old_on = old.bands.on if old.bands else None
    new_on = new.bands.on if new.bands else None
    if old_on != new_on:
        rubric_fields.append(FieldChange("bands.on", old_on, new_on))
    return RubricDiff(
        old=(old.id, old.version, old.content_hash),
        new=(new.id, new.version, new.content_hash),
        map_from=old.version if migration is not None else None,
        rubric=tuple(rubric_fields),
        levels=tuple(_by_id(old.levels, new.levels, lambda lv: lv.value, ("value",))),
        groups=tuple(_by_id(old.respondent_groups, new.respondent_groups, lambda g: g.id, ("id",))),
        domains=tuple(_domains(old, new, migration)),
        questions=tuple(_questions(old, new, migration)),
        scoring=tuple(_fields(old.scoring, new.scoring)),
        bands=tuple(
            _by_id(old.bands.items if old.bands else (), new.bands.items if new.bands else (), lambda b: b.id, ("id",))
        ),
        rules=tuple(_by_id(old.rules, new.rules, lambda r: r.id, ("id",), _rule_changes)),
    )


def _domains(old: Rubric, new: Rubric, migration: Migration | None) -> list[ItemDiff]:
    renamed = {d.id: d.old for d in migration.domains if d.old} if migration is not None else {}
    olds = {d.id: d for d in old.domains}
    taken = {renamed.get(d.id, d.id) for d in new.domains}
    found = []
    for domain in new.domains:
        old_id = renamed.get(domain.id, domain.id)
        before = olds.get(old_id)
        if before is None:
            found.append(ItemDiff(domain.id, "added"))
            continue
        changes = tuple(_fields(before, domain, skip=("id", "questions")))
        if old_id != domain.id:
            found.append(ItemDiff(domain.id, "renamed", changes, old_ids=(old_id,)))
        elif changes:
            found.append(ItemDiff(domain.id, "changed", changes))
    found.extend(ItemDiff(d.id, "removed") for d in old.domains if d.id not in taken)
    return found


def _questions(old: Rubric, new: Rubric, migration: Migration | None) -> list[ItemDiff]:
    olds = {q.id: q for q in old.questions()}
    found: list[ItemDiff] = []
    reached: set[str] = set()  # old questions that some new question comes from
    reported: set[int] = set()  # map entries already shown (a split shows once)
    for question in new.questions():
        move = migration.moves_to(question.id) if migration is not None else None
        if move is None:
            moved_away = migration is not None and migration.move_of(question.id) is not None
            source = olds.get(question.id) if not moved_away else None
            if source is None:
                found.append(ItemDiff(question.id, "added", domain=question.domain_id))
                continue
            reached.add(source.id)
            changes = _question_changes(source, question)
            moved = source.domain_id if source.domain_id != question.domain_id else None
            if changes or moved:
                found.append(ItemDiff(question.id, "changed", changes, domain=question.domain_id, old_domain=moved))
            continue
        reached.update(move.old)
        if id(move) in reported:
            continue
        reported.add(id(move))
        if move.kind == "split":
            news = [q for q in new.questions() if q.id in move.new]
            found.append(
                ItemDiff(
                    question.id,
                    "split",
                    old_ids=move.old,
                    new_ids=move.new,
                    domain=question.domain_id,
                    old_domain=_moved(olds, move.old, {q.domain_id for q in news}),
                    detail=levels_text(move.levels) if move.levels else None,
                )
            )
            continue
        if move.kind == "merged":
            detail = str(move.combine) + (f", levels {levels_text(move.levels)}" if move.levels else "")
            found.append(
                ItemDiff(
                    question.id,
                    "merged",
                    old_ids=move.old,
                    domain=question.domain_id,
                    old_domain=_moved(olds, move.old, {question.domain_id}),
                    detail=detail,
                )
            )
            continue
        source = olds.get(move.old[0])
        changes = _question_changes(source, question) if source is not None else ()
        status: Status = "renamed" if move.one_to_one else "remapped"
        found.append(
            ItemDiff(
                question.id,
                status,
                changes,
                old_ids=move.old,
                domain=question.domain_id,
                old_domain=_moved(olds, move.old, {question.domain_id}),
                detail=None if move.one_to_one else levels_text(move.levels),
            )
        )
    for question in old.questions():
        if question.id in reached:
            continue
        move = migration.move_of(question.id) if migration is not None else None
        if move is not None and move.kind == "dropped":
            found.append(ItemDiff(question.id, "dropped", domain=question.domain_id, detail=move.dropped))
        else:
            found.append(ItemDiff(question.id, "removed", domain=question.domain_id))
    return found


def _moved(olds: Mapping[str, Question], old_ids: Sequence[str], new_domains: set[str]) -> str | None:
    """The older domain of a question that moved to another (the first of several old ones), else None."""
    domains = [olds[o].domain_id for o in old_ids if o in olds]
    if domains and domains[0] not in new_domains:
        return domains[0]
    return None
