"""A regulator's or analyst's pages: the closed rounds of the organisations in their workspaces, as aggregates.

Each round's result is the engine's (:func:`qimaturity.score` on the round's submitted answers), shown as the
overall and domain values and levels, the respondents per group and the perception gaps between groups; a group
smaller than the rubric's ``min_group_size`` is named with its size alone, as every output of the engine does. The
comparison is :func:`qimaturity.compare` on the latest closed round of each organisation, peer groups by
organisation type, groups smaller than the command line's minimum cohort suppressed. No page shows a respondent's
answer, comment, justification or evidence: only what the result adds up to.

Every query starts from :func:`analysed_rounds`: a round outside it is not found (404), whoever asks.
"""

from __future__ import annotations

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
from qimaturity.cohort.model import DEFAULT_MIN_COHORT, Cohort
from qimaturity.report.cohort_view import CohortSummary, cohort_summary, group_title
from qimaturity.scoring.engine import fewer_than, hidden_groups
from qimaturity.scoring.result import Result
from qimaturity.web.organisations.scoping import analysed_organisations, analysed_rounds
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
class RoundView:
    """What a round's page shows of its result: aggregates only."""

    result: Result
    groups: tuple[GroupCount, ...]
    hidden_reason: str
    group_names: dict[str, str]


def _round_view(result: Result, rubric: Rubric) -> RoundView:
    names = {group.id: group.name for group in rubric.respondent_groups}
    hidden = hidden_groups(rubric, result.respondents)
    counts = tuple(
        GroupCount(names.get(c.group or "", c.group or "No group"), c.respondents, c.group not in hidden)
        for c in result.respondents
    )
    return RoundView(result, counts, fewer_than(rubric), names)


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


def latest_rounds(user: Any) -> list[Round]:
    """The latest closed round of each organisation ``user`` analyses that someone submitted answers to."""
    rounds = _submitted(analysed_rounds(user)).select_related("organisation").filter(submitted__gt=0)
    latest: dict[int, Round] = {}
    for round_ in rounds.order_by("organisation_id", "-assessment_date", "-closed_at", "-pk"):
        latest.setdefault(round_.organisation_id, round_)
    return sorted(latest.values(), key=lambda r: (r.organisation.name, r.pk))


def _compare(rubric: Rubric, rounds: Sequence[Round]) -> Comparison:
    results: list[Result] = []
    compared: list[Round] = []
    left_out: list[Round] = []
    for round_ in rounds:
        try:
            results.append(score(rubric, round_assessment(round_, rubric)))
        except InputError:
            left_out.append(round_)
        else:
            compared.append(round_)
    if not results:
        return Comparison(rubric, (), tuple(left_out), None, None, (), None)
    try:
        cohort = qimaturity.compare(rubric, results, group_by=GROUP_BY, min_cohort=DEFAULT_MIN_COHORT)
    except InputError as error:
        refused = "; ".join(p.message for p in error.problems)
        return Comparison(rubric, tuple(compared), tuple(left_out), None, None, (), refused)
    summary = cohort_summary(cohort, {level.value: level.name for level in rubric.levels})
    titles = tuple((group_title(cohort, g), g) for g in (cohort.everyone, *cohort.groups))
    return Comparison(rubric, tuple(compared), tuple(left_out), cohort, summary, titles, None)


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
    return response
