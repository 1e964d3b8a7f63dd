"""The respondent's journey: an invitation link, one page per domain, a review, and a submission.

A respondent has no account: the token in their link is who they are. Every page looks the invitation up by the
token's hash and confirms it in constant time; a token that is unknown, of a closed round, or past the round's
closing date gives one and the same "not valid" page (404), so that nothing tells them apart. Those failed lookups
are counted per client address: more than :data:`FAILED_LOOKUPS` a minute and every link page answers 429 for the
rest of that minute, whatever the token (so the limit itself tells no valid link from an invalid one).

The limit's counter is in Django's default cache: with the default settings, the server process's own memory
(shared by its threads, under a lock). ``serve`` runs one web server process, so the limit is exact; run with *n*
processes, an address could make *n* x 60 failed lookups a minute. Against 256-bit tokens the limit is there to
slow a flood, not to make guessing possible, so that is enough; a site that wants one counter across processes
sets ``CACHES`` (Redis, or Django's database cache).

Saving: each page posts every question on it, with the invitation's ``version`` the page was loaded with. A valid
page is saved in one transaction (its answers written, the version raised); a page with any problem saves nothing
and shows an error summary linking to each field. A question left without an answer on the page keeps what was
saved for it (a radio cannot be cleared). When another tab saved in between (the version moved), **the later save
wins**: its answers are written and the next page says that answers saved in another tab or window were replaced.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, wraps
from typing import Any

from django.contrib import messages
from django.core.cache import cache as django_cache
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from qimaturity._core.na import NA_TEXT
from qimaturity._core.resources import schema
from qimaturity.rubric.forms import Form, FormDomain, FormQuestion, build_form, level_option
from qimaturity.web.rounds.assessment import rubric_of
from qimaturity.web.rounds.models import Answer, Invitation, Round
from qimaturity.web.rounds.tokens import same_hash, token_hash

FAILED_LOOKUPS = 60
"""Failed token lookups a client address may make in a minute; the next ones get 429 until the minute is over."""
WINDOW_SECONDS = 60
NA = "na"


@cache
def limits() -> dict[str, int]:
    """The longest texts an answers file takes (the answers schema's own limits), by field."""
    answer = schema("answers")["$defs"]["answers"]["additionalProperties"]["oneOf"][1]["properties"]
    return {
        "justification": answer["justification"]["maxLength"],
        "comment": answer["comment"]["maxLength"],
        "evidence": answer["evidence"]["items"]["properties"]["reference"]["maxLength"],
    }


# ---- Finding the invitation ------------------------------------------------------------------------------------


def _address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def _counter(request: HttpRequest) -> str:
    return f"respond:failed:{_address(request)}"


def _limited(request: HttpRequest) -> bool:
    return int(django_cache.get(_counter(request), 0)) >= FAILED_LOOKUPS


def _count_failure(request: HttpRequest) -> None:
    key = _counter(request)
    if not django_cache.add(key, 1, WINDOW_SECONDS):  # the minute's first failure starts the window
        try:
            django_cache.incr(key)
        except ValueError:  # the window ended between add and incr
            django_cache.add(key, 1, WINDOW_SECONDS)


def find_invitation(token: str) -> Invitation | None:
    """The invitation whose link holds ``token``: found by the token's hash, confirmed in constant time."""
    stored = token_hash(token)
    invitation = (
        Invitation.objects.select_related("round__organisation")
        .filter(token_hash=stored, source=Invitation.Source.LINK)
        .first()
    )
    if invitation is None or invitation.token_hash is None or not same_hash(token, invitation.token_hash):
        return None
    return invitation


@dataclass
class Visit:
    """A respondent on their way: their invitation, its round, and the questions their group is asked."""

    token: str
    invitation: Invitation
    form: Form

    @property
    def round(self) -> Round:
        return self.invitation.round

    @property
    def pages(self) -> tuple[FormDomain, ...]:
        return self.form.domains

    def page_url(self, number: int) -> str:
        return reverse("respond:page", kwargs={"token": self.token, "number": number})

    def context(self, **more: Any) -> dict[str, Any]:
        return {
            "visit": self,
            "token": self.token,
            "round": self.round,
            "organisation": self.round.organisation,
            "page_count": len(self.pages),
            **more,
        }


def _invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "respond/invalid.jinja", status=404)


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "respond/too_many.jinja", status=429)
    response["Retry-After"] = str(WINDOW_SECONDS)
    return response


def _private(response: HttpResponse) -> HttpResponse:
    """A respondent's pages are theirs: not kept by caches or shared computers' browsers, not indexed."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def respondent_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A view of the journey: the token checked (else the one "not valid" page), a submitted invitation's link
    showing only the thank-you page, and ``view`` called with the :class:`Visit`."""

    @never_cache
    @wraps(view)
    def wrapper(request: HttpRequest, token: str, **kwargs: Any) -> HttpResponse:
        if _limited(request):
            return _private(_too_many(request))
        invitation = find_invitation(token)
        if invitation is None or (invitation.submitted_at is None and not invitation.round.takes_answers()):
            _count_failure(request)
            return _private(_invalid(request))
        if invitation.submitted_at is not None:
            return _private(render(request, "respond/thanks.jinja", {"round": invitation.round}))
        form = build_form(rubric_of(invitation.round), group=invitation.group)
        return _private(view(request, Visit(token, invitation, form), **kwargs))

    return wrapper


# ---- One page: what it shows and what it takes -----------------------------------------------------------------


@dataclass
class Entry:
    """One question on a page: the answer shown (saved or as posted) and its problems, by field."""

    item: FormQuestion
    answer: str = ""  # "" (none), a level's value, or "na"
    justification: str = ""
    comment: str = ""
    reference: str = ""
    day: str = ""
    month: str = ""
    year: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.item.question.id

    @property
    def asks_evidence(self) -> bool:
        return self.item.evidence_level is not None

    def field_id(self, name: str) -> str:
        """The id of one of the question's fields (the radios' first input has the question's id)."""
        return self.id if name == "answer" else f"{self.id}-{name}"

    def error_href(self, name: str) -> str:
        """Where an error summary's link for the field takes the respondent: its (first) input."""
        return "#" + self.field_id(name) + ("-day" if name == "evidence-date" else "")

    def radios(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = [
            {
                "value": str(choice.value),
                "text": f"{choice.value} {choice.name}",
                "hint": {"text": choice.descriptor},
                "checked": self.answer == str(choice.value),
            }
            for choice in self.item.choices
        ]
        if self.item.question.na_allowed:
            items.append({"divider": "or"})
            items.append(
                {
                    "value": NA,
                    "text": f"{NA_TEXT}: this does not apply here",
                    "hint": {
                        "text": "Only when the question truly does not apply to your organisation, not when you "
                        "do not know."
                    },
                    "checked": self.answer == NA,
                }
            )
        return items


def _text(request: HttpRequest, name: str) -> str:
    """A posted text with the browser's line ends as one character each (so lengths count as the file will)."""
    return str(request.POST.get(name, "")).replace("\r\n", "\n").replace("\r", "\n").strip()


def _posted(request: HttpRequest, item: FormQuestion) -> Entry:
    qid = item.question.id
    entry = Entry(
        item,
        answer=str(request.POST.get(qid, "")).strip(),
        justification=_text(request, f"{qid}-justification") if item.question.na_allowed else "",
        comment=_text(request, f"{qid}-comment"),
    )
    if entry.asks_evidence:
        entry.reference = _text(request, f"{qid}-evidence")
        entry.day = _text(request, f"{qid}-evidence-date-day")
        entry.month = _text(request, f"{qid}-evidence-date-month")
        entry.year = _text(request, f"{qid}-evidence-date-year")
    return entry


def _saved(item: FormQuestion, answer: Answer | None) -> Entry:
    entry = Entry(item)
    if answer is None:
        return entry
    entry.answer = NA if answer.na else str(answer.level)
    entry.justification = answer.justification
    entry.comment = answer.comment
    if answer.evidence:
        first = answer.evidence[0]
        entry.reference = str(first.get("reference", ""))
        if first.get("date"):
            year, month, day = str(first["date"]).split("-")
            entry.day, entry.month, entry.year = day.lstrip("0"), month.lstrip("0"), year
    return entry


def _evidence_date(entry: Entry) -> datetime.date | None:
    """The evidence date as given; ``ValueError`` when it is not a real date."""
    parts = (entry.day, entry.month, entry.year)
    if not any(parts):
        return None
    if not all(part.isdigit() for part in parts) or len(entry.year) != 4:
        raise ValueError(entry.id)
    return datetime.date(int(entry.year), int(entry.month), int(entry.day))


def check_entry(entry: Entry) -> None:
    """Put the entry's problems in ``entry.errors`` (field -> message); none: it can be saved."""
    question = entry.item.question
    errors = entry.errors
    levels = {str(choice.value) for choice in entry.item.choices}
    at = f"Question {entry.item.number}"
    named = {"justification": "the reason for N/A", "comment": "the comment", "evidence": "the evidence reference"}
    for name, value in (
        ("justification", entry.justification),
        ("comment", entry.comment),
        ("evidence", entry.reference),
    ):
        if "\x00" in value:
            errors[name] = f"{at}: remove the null character from {named[name]}"
        elif len(value) > limits()[name]:
            errors[name] = f"{at}: {named[name]} must be {limits()[name]:,} characters or fewer (it has {len(value):,})"
    if entry.answer == NA and not question.na_allowed:
        errors["answer"] = f"{at} cannot be answered {NA_TEXT}: choose a level"
    elif entry.answer not in levels and entry.answer not in ("", NA):
        errors["answer"] = f"{at}: choose one of the levels"
    elif entry.answer == "" and (entry.comment or entry.justification or entry.reference):
        errors["answer"] = f"{at}: choose an answer, to save what you wrote for it"
    elif entry.answer == NA and question.na_justification and not entry.justification and "justification" not in errors:
        errors["justification"] = f"{at}: say why it does not apply"
    elif entry.answer in levels and entry.justification and "justification" not in errors:
        errors["justification"] = f"{at}: clear the reason for {NA_TEXT}, or choose {NA_TEXT}"
    if entry.asks_evidence:
        try:
            date = _evidence_date(entry)
        except ValueError:
            errors["evidence-date"] = f"{at}: the evidence date must be a real date, for example 27 3 2026"
        else:
            if date is not None and not entry.reference and "evidence" not in errors:
                errors["evidence"] = f"{at}: give the document's reference, or clear the evidence date"


def _answer_fields(entry: Entry) -> dict[str, Any]:
    na = entry.answer == NA
    evidence: list[dict[str, str]] = []
    if entry.reference:
        item = {"reference": entry.reference}
        date = _evidence_date(entry)
        if date is not None:
            item["date"] = date.isoformat()
        evidence.append(item)
    return {
        "level": None if na else int(entry.answer),
        "na": na,
        "justification": entry.justification if na else "",
        "comment": entry.comment,
        "evidence": evidence,
    }


def _version(request: HttpRequest) -> int | None:
    given = str(request.POST.get("version", ""))
    return int(given) if given.isdigit() else None


def _page_of(visit: Visit, number: int) -> FormDomain:
    if not 1 <= number <= len(visit.pages):
        raise Http404("no such page")
    return visit.pages[number - 1]


def _after_save(visit: Visit, number: int, action: str) -> str:
    if action == "previous":
        return visit.page_url(number - 1) if number > 1 else reverse("respond:start", kwargs={"token": visit.token})
    if action == "review" or number == len(visit.pages):
        return reverse("respond:review", kwargs={"token": visit.token})
    return visit.page_url(number + 1)


# ---- Views ----------------------------------------------------------------------------------------------------


def _answered(invitation: Invitation) -> dict[str, Answer]:
    return {answer.question_id: answer for answer in Answer.objects.filter(invitation=invitation)}


def _missing(visit: Visit, answered: dict[str, Answer]) -> list[tuple[int, FormDomain, list[FormQuestion]]]:
    """Per page (number, domain): the questions with no answer yet."""
    found = []
    for number, page in enumerate(visit.pages, start=1):
        left = [item for item in page.questions if item.question.id not in answered]
        found.append((number, page, left))
    return found


@require_http_methods(["GET"])
@respondent_view
def start(request: HttpRequest, visit: Visit) -> HttpResponse:
    answered = _answered(visit.invitation)
    asked = {item.question.id for item in visit.form.questions}
    done = len(asked & answered.keys())
    resume = next((number for number, _, left in _missing(visit, answered) if left), None)
    return render(
        request,
        "respond/start.jinja",
        visit.context(
            question_count=len(asked),
            answered_count=done,
            resume_url=visit.page_url(resume or 1) if done < len(asked) else None,
            review_url=reverse("respond:review", kwargs={"token": visit.token}),
            first_url=visit.page_url(1),
        ),
    )


@require_http_methods(["GET", "POST"])
@respondent_view
def page(request: HttpRequest, visit: Visit, number: int) -> HttpResponse:
    domain = _page_of(visit, number)
    invitation = visit.invitation
    if request.method == "POST":
        entries = [_posted(request, item) for item in domain.questions]
        for entry in entries:
            check_entry(entry)
        if not any(entry.errors for entry in entries):
            replaced = _save(invitation, entries, _version(request))
            if replaced is None:  # submitted from another tab, or the round closed, meanwhile
                return HttpResponseRedirect(reverse("respond:start", kwargs={"token": visit.token}))
            if replaced:
                messages.warning(
                    request,
                    f"Your answers were also being changed in another tab or window. What you saved on page "
                    f"{number} ({domain.domain.title}) replaced what had been saved there for those questions.",
                )
            return HttpResponseRedirect(_after_save(visit, number, str(request.POST.get("action", "continue"))))
        version = _version(request)  # the page keeps the version it was loaded with
    else:
        answered = _answered(invitation)
        entries = [_saved(item, answered.get(item.question.id)) for item in domain.questions]
        version = invitation.version
    error_list = [
        {"text": message, "href": entry.error_href(name)} for entry in entries for name, message in entry.errors.items()
    ]
    return render(
        request,
        "respond/page.jinja",
        visit.context(
            number=number,
            domain=domain,
            entries=entries,
            version=version if version is not None else invitation.version,
            error_list=error_list,
            limits=limits(),
            level_option=level_option,
            evidence=rubric_of(visit.round).scoring.evidence,
        ),
        status=200,
    )


def _writable(invitation: Invitation) -> Invitation | None:
    """The invitation read again and locked with its round (call inside a transaction), or None when it no longer
    takes answers: submitted from another tab, or its round closed since the request began. The round is locked
    first, as closing it locks it, so that an answer is either in before the round closes or refused."""
    round_ = Round.objects.select_for_update().get(pk=invitation.round_id)
    current = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if current.submitted_at is not None or not round_.takes_answers():
        return None
    return current


def _save(invitation: Invitation, entries: list[Entry], loaded_version: int | None) -> bool | None:
    """Write the page's answers in one transaction and raise the version: whether another save came in between
    since the page was loaded (its answers replaced by these), or None when the invitation was submitted or its
    round closed meanwhile (nothing written)."""
    with transaction.atomic():
        current = _writable(invitation)
        if current is None:
            return None
        for entry in entries:
            if entry.answer:
                Answer.objects.update_or_create(
                    invitation=current, question_id=entry.id, defaults=_answer_fields(entry)
                )
        # Started: the first save, not the first visit (a mail system's link scanner opens links too).
        started = {"opened_at": timezone.now()} if current.opened_at is None else {}
        Invitation.objects.filter(pk=current.pk).update(version=F("version") + 1, **started)
    return loaded_version != current.version


@require_http_methods(["GET", "POST"])
@respondent_view
def review(request: HttpRequest, visit: Visit) -> HttpResponse:
    invitation = visit.invitation
    answered = _answered(invitation)
    pages = _missing(visit, answered)
    left = [(number, item) for number, _, items in pages for item in items]
    error_list: list[dict[str, str]] = []
    if request.method == "POST":
        if not left:
            with transaction.atomic():
                current = _writable(invitation)
                if current is not None:
                    still = {item.question.id for item in visit.form.questions} - set(
                        Answer.objects.filter(invitation=current).values_list("question_id", flat=True)
                    )
                    if not still:
                        Invitation.objects.filter(pk=current.pk).update(submitted_at=timezone.now())
            return HttpResponseRedirect(reverse("respond:start", kwargs={"token": visit.token}))
        for number, domain, items in pages:  # one entry a page, linking to its first question left
            if items:
                numbers = [item.number for item in items]
                said = numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " and " + numbers[-1]
                plural = "s" if len(numbers) > 1 else ""
                error_list.append(
                    {
                        "text": f"Page {number}, {domain.domain.title}: answer question{plural} {said}",
                        "href": f"{visit.page_url(number)}#{items[0].question.id}",
                    }
                )
    return render(
        request,
        "respond/review.jinja",
        visit.context(
            pages=[(number, domain, _review_rows(visit, number, domain, answered)) for number, domain, _ in pages],
            left_count=len(left),
            question_count=len(visit.form.questions),
            error_list=error_list,
        ),
    )


def _review_rows(visit: Visit, number: int, domain: FormDomain, answered: dict[str, Answer]) -> list[dict[str, Any]]:
    """The review's summary list of one page: each question with the answer given, or "Not answered"."""
    rows = []
    for item in domain.questions:
        answer = answered.get(item.question.id)
        names = {choice.value: f"{choice.value} {choice.name}" for choice in item.choices}
        if answer is None:
            shown = "Not answered"
        elif answer.na:
            shown = f"{NA_TEXT}: {answer.justification}" if answer.justification else NA_TEXT
        else:
            shown = names.get(answer.level or 0, str(answer.level))
        rows.append(
            {
                "key": {"text": f"{item.number} {item.text}"},
                "value": {"text": shown, "classes": "" if answer else "nhsuk-u-font-weight-bold"},
                "actions": {
                    "items": [
                        {
                            "href": f"{visit.page_url(number)}#{item.question.id}",
                            "text": "Answer" if answer is None else "Change",
                            "visuallyHiddenText": f"question {item.number}",
                        }
                    ]
                },
            }
        )
    return rows
