"""A regulator's or analyst's pages: the closed rounds of the organisations in their workspaces, as aggregates.

Each round's result is the engine's (:func:`qimaturity.score` on the round's submitted answers), shown as the
overall and domain values and levels, the respondents per group and the perception gaps between groups; a group
smaller than the rubric's ``min_group_size`` is named with its size alone, as every output of the engine does, and a
value made of such groups' answers alone is withheld (:func:`withheld`). The comparison is :func:`qimaturity.compare`
on the latest closed round of each organisation, as its page shows it (:func:`as_shown`), peer groups by
organisation type, groups smaller than the command line's minimum cohort suppressed. No page shows a respondent's
answer, comment, justification or evidence: only what the result adds up to.

Every query starts from :func:`analysed_rounds`: a round outside it is not found (404), whoever asks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

import qimaturity
from qimaturity import InputError, Rubric, score
from qimaturity._core.order import natural_key
from qimaturity.cohort.model import DEFAULT_MIN_COHORT, Cohort
from qimaturity.report.cohort_view import CohortSummary, cohort_summary, group_title
from qimaturity.scoring.engine import fewer_than, hidden_groups
from qimaturity.scoring.result import OverallResult, Result
from qimaturity.web.organisations.scoping import analysed_organisations, analysed_rounds
from qimaturity.web.pages import no_store
from qimaturity.web.rounds.assessment import round_assessment, rubric_of
from qimaturity.web.rounds.models import Round

GROUP_BY = "type"


def _submitted(rounds: QuerySet[Round]) -> QuerySet[Round]:
    return rounds.annotate(submitted=Count("invitations", filter=Q(invitations__submitted_at__isnull=False)))


def _analyst(request: HttpRequest) -> None:
    """Only a regulator or analyst has these pages (an object's own page 404s outside the scope instead)."""
    if not analysed_organisations(request.user).exists():
        raise PermissionDenied


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _analyst(request)
    rounds = _submitted(analysed_rounds(request.user)).select_related("organisation")
    ordered = rounds.order_by("organisation__name", "-assessment_date", "title")
    return render(request, "cohorts/index.jinja", {"rounds": ordered})


@dataclass(frozen=True)
class GroupCount:
    name: str
    respondents: int
    shown: bool


@dataclass(frozen=True)
class Withheld:
    """What a regulator's pages leave out of one round's result, and why (:func:`withheld`)."""

    domains: frozenset[str]
    """The ids of the domains whose value and level are withheld."""
    overall: bool
    """Whether the overall value, level and interval are withheld."""
    domain_reason: str
    """Why a domain is withheld, in words: ``answered only by groups with fewer than 3 respondents``."""
    overall_reason: str | None
    """Why the overall is withheld, in words; ``None`` when it is not."""


def withheld(result: Result, rubric: Rubric) -> Withheld:
    """The values of a round's ``result`` that no regulator's page, comparison or report shows: those made of the
    answers of hidden groups alone.

    A respondent group smaller than the rubric's ``min_group_size`` is hidden (:func:`hidden_groups`): named with
    its size, no value, perception gap or answer of its own shown, its answers counted in every value. A domain whose
    questions only hidden groups answered has such a group's value under another name (one patient partner's
    answers, when a domain is asked of patient partners alone and one of them responds). So a domain is withheld,
    value and level, when no respondent of a shown group gave a counted answer (a level, not N/A) to any of its
    questions: when every group that did is hidden, or no one did. A shown group's answers are those in each
    question's ``answers`` (the engine leaves a hidden group's out of them; respondents with no group are never
    hidden; a result scored without details has none, and so withholds every value); a domain with no value or level
    has nothing to withhold. Counts of the domain's questions answered, N/A
    or missing stay: they count questions, not answers.

    The overall value is the domains' values combined with the rubric's published weights, so beside the other
    domains' values it gives a withheld domain's value back (by subtraction): it is withheld, with its level and
    interval, whenever a domain is, and so whenever every respondent of the round is in a hidden group.
    """
    hidden = hidden_groups(rubric, result.respondents)
    reason = f"answered only by groups with {fewer_than(rubric)}"
    domains = frozenset(
        domain.id
        for domain in result.domains
        if (domain.value is not None or domain.level is not None)
        and not any(
            answer.group not in hidden and answer.level is not None
            for question in domain.questions
            for answer in question.answers
        )
    )
    overall_reason: str | None = None
    if result.respondents and all(count.group in hidden for count in result.respondents):
        overall_reason = f"every respondent is in a group with {fewer_than(rubric)}"
    elif domains:
        titles = ", ".join(domain.title for domain in result.domains if domain.id in domains)
        overall_reason = f"beside the domains' values it would give away the withheld value of {titles}"
    return Withheld(domains, overall_reason is not None, reason, overall_reason)


_NO_FIGURES: dict[str, Any] = {
    "value": None,
    "raw_value": None,
    "level": None,
    "level_name": None,
    "percent": None,
    "points": None,
    "max_points": None,
    "band": None,
    "gap": None,
    "raw_level": None,
    "held_level": None,
    "held_by": (),
    "interval": None,
}


def as_shown(result: Result, kept: Withheld) -> Result:
    """``result`` as a regulator's pages show it: without per-question detail, traces or priorities
    (:meth:`Result.slim`), and without the figures ``kept`` names (value, level, band, interval: ``None``), so that
    no page, comparison or report made from it can show them."""
    slim = result.slim()
    domains = tuple(
        dataclasses.replace(domain, perception_gaps=(), **_NO_FIGURES) if domain.id in kept.domains else domain
        for domain in slim.domains
    )
    overall: OverallResult = dataclasses.replace(slim.overall, **_NO_FIGURES) if kept.overall else slim.overall
    return dataclasses.replace(slim, domains=domains, overall=overall)


@dataclass(frozen=True)
class RoundView:
    """What a round's page shows of its result: aggregates only."""

    result: Result
    """The result as shown (:func:`as_shown`)."""
    groups: tuple[GroupCount, ...]
    hidden_reason: str
    group_names: dict[str, str]
    withheld: Withheld


def _round_view(result: Result, rubric: Rubric) -> RoundView:
    names = {group.id: group.name for group in rubric.respondent_groups}
    hidden = hidden_groups(rubric, result.respondents)
    counts = tuple(
        GroupCount(names.get(c.group or "", c.group or "No group"), c.respondents, c.group not in hidden)
        for c in result.respondents
    )
    kept = withheld(result, rubric)
    return RoundView(as_shown(result, kept), counts, fewer_than(rubric), names, kept)


@login_required
def round_result(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = get_object_or_404(_submitted(analysed_rounds(request.user)).select_related("organisation"), pk=round_id)
    context: dict[str, Any] = {"round": round_, "view": None, "unscored": None}
    if round_.submitted:
        rubric = rubric_of(round_)
        try:
            assessment = round_assessment(round_, rubric)
        except InputError as error:
            # The problems name answers (a question, a level): the organisation's admin sees them, not the analyst.
            context["unscored"] = len(error.problems)
        else:
            context["view"] = _round_view(score(rubric, assessment), rubric)
    return render(request, "cohorts/round.jinja", context)


@dataclass(frozen=True)
class Comparison:
    """The cohort of one rubric: the latest closed round of each organisation, compared."""

    rubric: Rubric
    rounds: tuple[Round, ...]
    left_out: tuple[Round, ...]  # rounds whose answers do not check against the rubric (their admin sees why)
    cohort: Cohort | None
    summary: CohortSummary | None
    group_titles: tuple[tuple[str, Any], ...]  # (title, GroupStats) of the whole cohort and each peer group
    refused: str | None  # why the engine would not compare them (e.g. versions of the rubric without a map)
    overall_withheld: frozenset[str] = frozenset()  # the organisations (their ids in the cohort) without an overall


def latest_rounds(user: Any) -> list[Round]:
    """The latest closed round of each organisation ``user`` analyses that someone submitted answers to."""
    rounds = _submitted(analysed_rounds(user)).select_related("organisation").filter(submitted__gt=0)
    latest: dict[int, Round] = {}
    for round_ in rounds.order_by("organisation_id", "-assessment_date", "-closed_at", "-pk"):
        latest.setdefault(round_.organisation_id, round_)
    return sorted(latest.values(), key=lambda r: (natural_key(r.organisation.name), r.pk))


def withheld_note(rubric: Rubric, kept: Sequence[tuple[Result, Withheld]]) -> str | None:
    """The comparison's note naming what it leaves out of each organisation's figures (``None``: nothing)."""
    parts = []
    for result, found in kept:
        if found.overall and len(found.domains) == len(result.domains):
            parts.append(f"{result.organisation.name} (every value)")
        elif found.overall or found.domains:
            what = (["the overall value"] if found.overall else []) + [
                domain.title for domain in result.domains if domain.id in found.domains
            ]
            parts.append(f"{result.organisation.name} ({', '.join(what)})")
    if not parts:
        return None
    return (
        f"Left out of every figure, as on each round's page: values answered only by groups with "
        f"{fewer_than(rubric)}, and overall values that would give one away: {'; '.join(parts)}."
    )


def _compare(rubric: Rubric, rounds: Sequence[Round]) -> Comparison:
    results: list[Result] = []
    kept: list[tuple[Result, Withheld]] = []
    compared: list[Round] = []
    left_out: list[Round] = []
    for round_ in rounds:
        try:
            result = score(rubric, round_assessment(round_, rubric))
        except InputError:
            left_out.append(round_)
        else:
            found = withheld(result, rubric)
            results.append(as_shown(result, found))
            kept.append((result, found))
            compared.append(round_)
    if not results:
        return Comparison(rubric, (), tuple(left_out), None, None, (), None)
    try:
        cohort = qimaturity.compare(rubric, results, group_by=GROUP_BY, min_cohort=DEFAULT_MIN_COHORT)
    except InputError as error:
        refused = "; ".join(p.message for p in error.problems)
        return Comparison(rubric, tuple(compared), tuple(left_out), None, None, (), refused)
    note = withheld_note(rubric, kept)
    if note is not None:  # the cohort's notes: the page's and the downloaded report's
        cohort = dataclasses.replace(cohort, notes=(*cohort.notes, note))
    summary = cohort_summary(cohort, {level.value: level.name for level in rubric.levels})
    titles = tuple((group_title(cohort, g), g) for g in (cohort.everyone, *cohort.groups))
    overall_withheld = frozenset(result.organisation.id for result, found in kept if found.overall)
    return Comparison(rubric, tuple(compared), tuple(left_out), cohort, summary, titles, None, overall_withheld)


def comparisons(user: Any) -> list[Comparison]:
    """One comparison for each rubric the latest rounds were collected with."""
    by_rubric: dict[str, list[Round]] = {}
    for round_ in latest_rounds(user):
        by_rubric.setdefault(round_.rubric_id, []).append(round_)
    return [_compare(rubric_of(rounds[0]), rounds) for _, rounds in sorted(by_rubric.items())]


@login_required
def comparison(request: HttpRequest) -> HttpResponse:
    _analyst(request)
    return render(
        request, "cohorts/compare.jinja", {"comparisons": comparisons(request.user), "min_cohort": DEFAULT_MIN_COHORT}
    )


@login_required
def comparison_report(request: HttpRequest, rubric_id: str) -> HttpResponse:
    """The cohort report of one rubric's comparison (the command line's ``compare --format html``), to download."""
    _analyst(request)
    found = next((c for c in comparisons(request.user) if c.rubric.id == rubric_id and c.cohort), None)
    if found is None or found.cohort is None:
        raise Http404("no cohort of that rubric")
    html = qimaturity.report(found.rubric, found.cohort, format="html")
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cohort-{rubric_id}.html"'
    return no_store(response)
