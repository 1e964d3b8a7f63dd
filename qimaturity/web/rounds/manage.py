"""The organisation admin's pages: rounds, invitation links, response rates, reminders, closing, the result,
downloads, uploaded answers files and the audit log.

Every object comes from :func:`administered_organisations`: a round, invitation or report of an organisation the
user does not administer is not found (404), whatever its id. Pages with no object (the rounds list, creating a
round) are refused (403) to a user who administers no organisation. Every action writes an audit entry in its own
transaction.

Invitation links are shown once: a new token is put in the page that answers the request making it (marked
``no-store``) and is kept nowhere else; the database keeps only its hash. A round's form carries a one-time id, so
that sending it again (a reload of the links page) makes no second round. An e-mailed link is a new token too (any
earlier link of that respondent stops working). A reminder carries no link (the tokens are not kept): it asks the
respondent to use the link they were sent, so that a questionnaire open in their browser keeps working. E-mail is
sent after the transaction that records it has committed, so that no database lock waits for a mail server.
"""

from __future__ import annotations

import io
import secrets
import smtplib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

import qimaturity
from qimaturity import Assessment, InputError, Problem, Rubric
from qimaturity._core.order import natural_key
from qimaturity.answers.exports import dump_answers
from qimaturity.scoring.tables import write_json
from qimaturity.web.audit.models import AuditEntry, record
from qimaturity.web.organisations.brands import report_brand
from qimaturity.web.organisations.models import Organisation
from qimaturity.web.organisations.scoping import administered_organisations
from qimaturity.web.pages import no_store as _no_store
from qimaturity.web.rounds.assessment import round_assessment, round_document, rubric_of
from qimaturity.web.rounds.models import Answer, Invitation, Report, Round
from qimaturity.web.rounds.tasks import render_pdf_report, reports_folder
from qimaturity.web.rounds.tokens import new_token
from qimaturity.web.rounds.uploads import UPLOAD_SUFFIXES, read_upload

MAX_RESPONDENTS = 1000  # in one round, over all its groups
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
UPLOAD_FORM_SLACK = 64 * 1024  # the multipart form around the file: its boundaries, headers and token
_FORMS_KEY = "rounds.round_forms"  # session: the one-time ids of round forms shown and not yet sent
_MOST_FORMS = 20
AUDIT_PAGE_SIZE = 100


# Scoping: every query starts from the organisations the user administers.


def _organisations(request: HttpRequest) -> QuerySet[Organisation]:
    return administered_organisations(request.user)


def _rounds(request: HttpRequest) -> QuerySet[Round]:
    return Round.objects.filter(organisation__in=_organisations(request)).select_related("organisation")


def _round(request: HttpRequest, pk: int) -> Round:
    round_: Round = get_object_or_404(_rounds(request), pk=pk)
    return round_


def _invitation(request: HttpRequest, round_: Round, pk: int) -> Invitation:
    invitation: Invitation = get_object_or_404(Invitation.objects.filter(round=round_), pk=pk)
    return invitation


def _an_admin(request: HttpRequest) -> QuerySet[Organisation]:
    organisations = _organisations(request)
    if not organisations.exists():
        raise PermissionDenied("you administer no organisation")
    return organisations


# Rubrics a round can use, and the links respondents open.


def rubric_ofs() -> list[Rubric]:
    """The rubrics a round may be opened with: every valid one an id names (bundled, or on the rubric path)."""
    found = qimaturity.find_rubrics()
    return [qimaturity.load_rubric(r.id) for r in found.rubrics if r.valid]


def invitation_link(request: HttpRequest, token: str) -> str:
    """The full address a respondent opens: the respondent pages' start (``respond:start``), else ``/r/TOKEN/``."""
    try:
        path = reverse("respond:start", kwargs={"token": token})
    except NoReverseMatch:
        path = f"/r/{token}/"
    return request.build_absolute_uri(path)


def _links_page(request: HttpRequest, round_: Round, made: Iterable[tuple[str, str]]) -> HttpResponse:
    """The page showing the links just made, ``(respondent id, token)`` each: the only place a token is ever shown
    (the response is not stored by the browser or any cache)."""
    groups = {i.respondent_id: i.group for i in Invitation.objects.filter(round=round_)}
    names = _group_names(_try_rubric(round_))
    links = [
        {
            "respondent": respondent,
            "group": names.get(groups.get(respondent, ""), groups.get(respondent, "")),
            "link": invitation_link(request, token),
        }
        for respondent, token in made
    ]
    return _no_store(render(request, "rounds/links.jinja", {"round": round_, "links": links}))


def _new_form_id(request: HttpRequest) -> str:
    """A one-time id for a round's form (the session keeps the latest few)."""
    form_id = secrets.token_urlsafe(16)
    request.session[_FORMS_KEY] = [*request.session.get(_FORMS_KEY, [])[-(_MOST_FORMS - 1) :], form_id]
    return form_id


def _use_form_id(request: HttpRequest, form_id: str) -> bool:
    """Whether ``form_id`` is a round form's id not used yet (it is used now)."""
    ids = request.session.get(_FORMS_KEY, [])
    if form_id not in ids:
        return False
    request.session[_FORMS_KEY] = [i for i in ids if i != form_id]
    return True


def _group_names(rubric: Rubric | None) -> dict[str, str]:
    names = {"": "Respondents"}
    if rubric is not None:
        names.update({group.id: group.name for group in rubric.respondent_groups})
    return names


# The rounds list and creating a round.


@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    organisations = _an_admin(request)
    rounds = (
        _rounds(request)
        .annotate(
            invited=Count("invitations", filter=Q(invitations__source=Invitation.Source.LINK)),
            submitted=Count("invitations", filter=Q(invitations__submitted_at__isnull=False)),
        )
        .order_by("organisation__name", "-assessment_date", "title")
    )
    by_organisation = [(o, [r for r in rounds if r.organisation_id == o.pk]) for o in organisations]
    return render(request, "rounds/list.jinja", {"by_organisation": by_organisation})


def one_line_title(text: str) -> None:
    """A title is one line of printable text: it goes into e-mail subjects and the answers file's header."""
    if not text.isprintable():
        raise forms.ValidationError("Enter the title on one line, without tabs or other control characters")


def _date_field(name: str) -> forms.DateField:
    return forms.DateField(
        error_messages={
            "required": f"Enter the {name}",
            "invalid": f"The {name} must be a real date, like 2026-03-31",
        }
    )


class RoundForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        empty_label=None,
        error_messages={
            "required": "Choose the organisation",
            "invalid_choice": "Choose one of the organisations you administer",
        },
    )
    title = forms.CharField(
        max_length=200,
        validators=[one_line_title],
        error_messages={
            "required": "Enter a title for the round",
            "max_length": "Enter a title of at most %(limit_value)d characters (it has %(show_value)d)",
        },
    )
    assessment_date = _date_field("assessment date")
    closes_on = _date_field("closing date")

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], rubric: Rubric, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.groups = [(g.id, g.name) for g in rubric.respondent_groups] or [("", "Respondents")]
        for group, name in self.groups:
            self.fields[f"group-{group}"] = forms.IntegerField(
                min_value=0,
                max_value=MAX_RESPONDENTS,
                initial=0,
                required=False,
                error_messages={
                    "invalid": f"Enter how many to invite from {name} as a whole number, like 5",
                    "min_value": f"Enter how many to invite from {name}: 0 or more",
                    "max_value": f"Invite at most {MAX_RESPONDENTS} from {name}",
                },
            )

    def counts(self) -> dict[str, int]:
        return {group: self.cleaned_data.get(f"group-{group}") or 0 for group, _ in self.groups}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("assessment_date"), data.get("closes_on")
        if start and end and end < start:
            self.add_error("closes_on", "The closing date must be on or after the assessment date")
        elif end and end < timezone.localdate():
            self.add_error("closes_on", "The closing date must be today or later")
        if not any(f"group-{group}" in self.errors for group, _ in self.groups):
            total = sum(self.counts().values())
            first = f"group-{self.groups[0][0]}"
            if total == 0:
                self.add_error(first, "Invite at least one respondent")
            elif total > MAX_RESPONDENTS:
                self.add_error(first, f"Invite at most {MAX_RESPONDENTS} respondents in one round")
        return data


def _rubric_hint(rubric: Rubric) -> str:
    groups = ", ".join(group.name for group in rubric.respondent_groups) or "no respondent groups"
    return f"{len(rubric.domains)} domains, {rubric.question_count} questions; respondent groups: {groups}."


def _error_list(form: forms.Form, ids: dict[str, str] | None = None) -> list[dict[str, str]]:
    """The error summary's entries, each linking to its field (``id_NAME``, or the id ``ids`` gives it)."""
    ids = ids or {}
    return [
        {"text": str(message), "href": f"#{ids.get(name, f'id_{name}')}" if name != "__all__" else "#main-content"}
        for name, errors in form.errors.items()
        for message in errors
    ]


@login_required
def round_create(request: HttpRequest) -> HttpResponse:
    organisations = _an_admin(request)
    rubrics = {rubric.id: rubric for rubric in rubric_ofs()}
    chosen = request.POST.get("rubric") or request.GET.get("rubric")
    if chosen not in rubrics:
        # First step: which rubric (its respondent groups make the form's second step).
        items = [
            {
                "value": rubric.id,
                "text": f"{rubric.title} ({rubric.id} {rubric.version})",
                "hint": {"text": _rubric_hint(rubric)},
            }
            for rubric in rubrics.values()
        ]
        asked = "rubric" in request.GET or "rubric" in request.POST
        errors = [{"text": "Choose the rubric respondents will answer", "href": "#rubric"}] if asked else []
        return render(request, "rounds/create_rubric.jinja", {"rubric_items": items, "errors": errors})
    rubric = rubrics[chosen]
    initial = {}
    if request.GET.get("organisation"):
        initial["organisation"] = organisations.filter(code=request.GET["organisation"]).first()
    form = RoundForm(
        request.POST if request.method == "POST" else None, organisations=organisations, rubric=rubric, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        if not _use_form_id(request, request.POST.get("form_id", "")):
            messages.warning(
                request,
                "That form was sent before (or was left open too long), so no round was made from it this time. "
                "If the round is in this list, its links were shown when it was made: to give a respondent a "
                "working link again, make a new link from the round's page.",
            )
            return redirect("rounds:list")
        with transaction.atomic():
            round_ = Round.objects.create(
                organisation=form.cleaned_data["organisation"],
                title=form.cleaned_data["title"],
                rubric_id=rubric.id,
                rubric_version=rubric.version,
                rubric_hash=rubric.content_hash,
                assessment_date=form.cleaned_data["assessment_date"],
                closes_on=form.cleaned_data["closes_on"],
                groups=form.counts(),
                created_by=request.user,
            )
            record(
                request.user,
                "round.create",
                round_,
                organisation=round_.organisation,
                title=round_.title,
                rubric=f"{rubric.id} {rubric.version}",
                groups=round_.groups,
            )
            links = _create_invitations(request, round_, form.counts())
        return _links_page(request, round_, links)
    return render(
        request,
        "rounds/create.jinja",
        {
            "form": form,
            "form_id": _new_form_id(request),
            "rubric": rubric,
            "errors": _error_list(form) if form.is_bound else [],
            "organisation_items": _organisation_items(form),
        },
    )


def _organisation_items(form: RoundForm) -> list[dict[str, Any]]:
    chosen = form["organisation"].value()
    chosen = getattr(chosen, "pk", chosen)
    return [
        {"value": str(o.pk), "text": o.name, "selected": str(o.pk) == str(chosen)}
        for o in form.fields["organisation"].queryset
    ]


def _create_invitations(request: HttpRequest, round_: Round, counts: dict[str, int]) -> list[tuple[str, str]]:
    """One invitation a respondent (``board-1``, ``board-2``, ...; ``respondent-1`` where the rubric has no
    groups), numbered on from the round's existing ones; returns ``(respondent id, token)`` of each."""
    taken = set(Invitation.objects.filter(round=round_).values_list("respondent_id", flat=True))
    links = []
    for group, count in counts.items():
        stem = group or "respondent"
        number = 0
        for _ in range(count):
            number += 1
            while f"{stem}-{number}" in taken:
                number += 1
            respondent_id = f"{stem}-{number}"
            taken.add(respondent_id)
            token, stored = new_token()
            invitation = Invitation.objects.create(
                round=round_, group=group, respondent_id=respondent_id, token_hash=stored
            )
            record(
                request.user,
                "invitation.create",
                invitation,
                organisation=round_.organisation,
                respondent=respondent_id,
            )
            links.append((respondent_id, token))
    return links


# One round: response rates, invitations, the result, reports.


def _try_rubric(round_: Round) -> Rubric | None:
    try:
        return rubric_of(round_)
    except InputError:
        return None


def response_rates(round_: Round, names: dict[str, str]) -> list[dict[str, Any]]:
    """Per respondent group: invited by link, opened (started), submitted, and respondents from uploaded files."""
    rows: dict[str, dict[str, Any]] = {
        group: {
            "group": group,
            "name": names.get(group, group),
            "invited": 0,
            "started": 0,
            "submitted": 0,
            "uploaded": 0,
        }
        for group in round_.groups
    }
    for invitation in Invitation.objects.filter(round=round_):
        row = rows.setdefault(
            invitation.group,
            {
                "group": invitation.group,
                "name": names.get(invitation.group, invitation.group),
                "invited": 0,
                "started": 0,
                "submitted": 0,
                "uploaded": 0,
            },
        )
        if invitation.source == Invitation.Source.UPLOAD:
            row["uploaded"] += 1
            continue
        row["invited"] += 1
        row["started"] += invitation.opened_at is not None or invitation.submitted_at is not None
        row["submitted"] += invitation.submitted_at is not None
    for row in rows.values():
        row["percent"] = round(100 * row["submitted"] / row["invited"]) if row["invited"] else None
    return list(rows.values())


def _result(round_: Round, rubric: Rubric | None) -> tuple[qimaturity.Result | None, list[Problem]]:
    if rubric is None:
        return None, []
    try:
        return qimaturity.score(rubric, round_assessment(round_, rubric)), []
    except InputError as error:
        return None, list(error.problems)


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    rubric = _try_rubric(round_)
    names = _group_names(rubric)
    submitted = Invitation.objects.filter(round=round_, submitted_at__isnull=False).count()
    result, problems = _result(round_, rubric) if submitted else (None, [])
    report = round_.reports.first()
    context = {
        "round": round_,
        "rubric": rubric,
        "rubric_changed": rubric is not None and rubric.content_hash != round_.rubric_hash,
        "rates": response_rates(round_, names),
        "invitations": sorted(
            Invitation.objects.filter(round=round_), key=lambda i: (i.group, natural_key(i.respondent_id))
        ),
        "names": names,
        "submitted": submitted,
        "result": result,
        "gaps": [(d, gap) for d in result.domains for gap in d.perception_gaps] if result else [],
        "problems": problems,
        "questions": {q.id: q for d in rubric.domains for q in d.questions} if rubric else {},
        "report": report,
        "report_failed": report is not None and report.finished_at is not None and not report.file,
        "can_remind": Invitation.objects.filter(round=round_, submitted_at__isnull=True, source=Invitation.Source.LINK)
        .exclude(email="")
        .count(),
    }
    return render(request, "rounds/detail.jinja", {**context, "localtime": timezone.localtime})


SAVED_CHOICES = [
    ("keep", "Keep them: the same person will go on answering"),
    ("delete", "Delete them: someone else will answer in their place"),
]


class NewLinkForm(forms.Form):
    """Making a new link: what becomes of the answers saved through the old one (asked only when there are some,
    so that a new link given to someone else never shows them the previous person's answers)."""

    saved = forms.ChoiceField(
        choices=SAVED_CHOICES,
        required=False,
        error_messages={"invalid_choice": "Choose whether the answers saved so far are kept or deleted"},
    )

    def __init__(self, *args: Any, saved_answers: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.saved_answers = saved_answers
        self.fields["saved"].required = saved_answers > 0
        self.fields["saved"].error_messages["required"] = "Choose whether the answers saved so far are kept or deleted"


class EmailForm(NewLinkForm):
    email = forms.EmailField(max_length=254)
    field_order = ["email", "saved"]


# The fields' ids on the invitation's page, which holds both forms (an error links to its own form's field).
_LINK_FIELDS = {"saved": "link-saved"}
_EMAIL_FIELDS = {"email": "id_email", "saved": "email-saved"}


def _invitation_page(
    request: HttpRequest,
    round_: Round,
    invitation: Invitation,
    *,
    link_form: NewLinkForm | None = None,
    email_form: EmailForm | None = None,
) -> HttpResponse:
    saved = Answer.objects.filter(invitation=invitation).count()
    link_form = link_form or NewLinkForm(saved_answers=saved)
    email_form = email_form or EmailForm(initial={"email": invitation.email}, saved_answers=saved)
    errors = []
    if link_form.is_bound:
        errors += _error_list(link_form, _LINK_FIELDS)
    if email_form.is_bound:
        errors += _error_list(email_form, _EMAIL_FIELDS)
    context = {
        "round": round_,
        "invitation": invitation,
        "saved_answers": saved,
        "link_saved_items": _saved_items(link_form),
        "email_saved_items": _saved_items(email_form),
        "link_form": link_form,
        "form": email_form,
        "errors": errors,
        "names": _group_names(_try_rubric(round_)),
    }
    return render(request, "rounds/invitation.jinja", context, status=400 if errors else 200)


def _saved_items(form: NewLinkForm) -> list[dict[str, Any]]:
    chosen = form["saved"].value()
    return [{"value": value, "text": text, "checked": value == chosen} for value, text in SAVED_CHOICES]


@login_required
def invitation_detail(request: HttpRequest, pk: int, invitation: int) -> HttpResponse:
    round_ = _round(request, pk)
    return _invitation_page(request, round_, _invitation(request, round_, invitation))


def _open_link_invitation(round_: Round, invitation: Invitation) -> None:
    """A link can be replaced or e-mailed only for an invited respondent who has not submitted, while the round's
    links take answers (open, closing date not passed)."""
    if not round_.takes_answers() or invitation.source != Invitation.Source.LINK:
        raise Http404("no link to replace")
    if invitation.submitted_at is not None:
        raise Http404("submitted")


def _replace_link(request: HttpRequest, invitation: Invitation, form: NewLinkForm, action: str, **fields: Any) -> str:
    """Give the invitation a new token (and ``fields``), deleting the answers saved so far where the form says so,
    in one transaction with its audit entry; returns the token."""
    token, stored = new_token()
    round_ = invitation.round
    with transaction.atomic():
        deleted = 0
        if form.cleaned_data.get("saved") == "delete":
            deleted, _ = Answer.objects.filter(invitation=invitation).delete()
            invitation.opened_at = None
            fields["opened_at"] = None
        invitation.token_hash = stored
        for name, value in fields.items():
            setattr(invitation, name, value)
        invitation.save(update_fields=["token_hash", *fields])
        record(
            request.user,
            action,
            invitation,
            organisation=round_.organisation,
            respondent=invitation.respondent_id,
            answers_deleted=deleted,
        )
    return token


@login_required
@require_POST
def invitation_new_link(request: HttpRequest, pk: int, invitation: int) -> HttpResponse:
    """Replace the invitation's token: the old link stops working, the new one is shown once."""
    round_ = _round(request, pk)
    found = _invitation(request, round_, invitation)
    _open_link_invitation(round_, found)
    form = NewLinkForm(request.POST, saved_answers=Answer.objects.filter(invitation=found).count())
    if not form.is_valid():
        return _invitation_page(request, round_, found, link_form=form)
    token = _replace_link(request, found, form, "invitation.new_link")
    return _links_page(request, round_, [(found.respondent_id, token)])


def _mail_text(round_: Round, link: str | None) -> str:
    lines = [
        f"{round_.organisation.name} asks for your view of its readiness for quality improvement: {round_.title}.",
        "",
    ]
    if link is not None:
        lines += [
            "Open this link to answer (it is yours alone: please do not pass it on):",
            link,
            "",
            "Your answers are saved on every page; you can leave and come back through the same link.",
        ]
    else:
        lines += [
            "This is a reminder: you have not submitted your answers yet. Please use the link you were sent "
            "(answers you saved are kept).",
        ]
    lines += ["", f"The round closes on {round_.closes_on:%d %B %Y}."]
    return "\n".join(lines) + "\n"


def _mailed(subject: str, text: str, address: str) -> str | None:
    """Send one e-mail (outside any transaction: a slow mail server holds no lock); None when sent, else what
    went wrong, in words."""
    try:
        send_mail(subject, text, None, [address])
    except (OSError, smtplib.SMTPException) as error:
        return str(error) or type(error).__name__
    return None


@login_required
@require_POST
def invitation_email(request: HttpRequest, pk: int, invitation: int) -> HttpResponse:
    """E-mail a new link to an address (the old link stops working): the token is known only now."""
    round_ = _round(request, pk)
    found = _invitation(request, round_, invitation)
    _open_link_invitation(round_, found)
    form = EmailForm(request.POST, saved_answers=Answer.objects.filter(invitation=found).count())
    if not form.is_valid():
        return _invitation_page(request, round_, found, email_form=form)
    token = _replace_link(request, found, form, "invitation.email", email=form.cleaned_data["email"])
    failed = _mailed(
        f"{round_.title}: your questionnaire", _mail_text(round_, invitation_link(request, token)), found.email
    )
    if failed:
        messages.error(
            request,
            f"The new link could not be e-mailed to {found.email} ({failed}), and the earlier link of "
            f"{found.respondent_id} no longer works. Try again, or make a new link to copy.",
        )
    else:
        messages.info(
            request,
            f"A new link was e-mailed to {found.email}. The earlier link of {found.respondent_id} no longer works.",
        )
    return redirect("rounds:detail", pk=round_.pk)


@login_required
@require_POST
def round_remind(request: HttpRequest, pk: int) -> HttpResponse:
    """E-mail a reminder to every invitation with an address that has not submitted (while the round's links take
    answers); each one sent is recorded after it went."""
    round_ = _round(request, pk)
    if not round_.takes_answers():
        raise Http404("closed")
    due = list(
        Invitation.objects.filter(round=round_, submitted_at__isnull=True, source=Invitation.Source.LINK).exclude(
            email=""
        )
    )
    sent: list[Invitation] = []
    failures: list[str] = []
    for invitation in due:
        failed = _mailed(f"Reminder: {round_.title}", _mail_text(round_, None), invitation.email)
        if failed:
            failures.append(f"{invitation.respondent_id} ({failed})")
        else:
            sent.append(invitation)
    now = timezone.now()
    with transaction.atomic():
        for invitation in sent:
            invitation.reminded_at = now
            invitation.save(update_fields=["reminded_at"])
            record(
                request.user,
                "invitation.remind",
                invitation,
                organisation=round_.organisation,
                respondent=invitation.respondent_id,
            )
    if failures:
        messages.error(request, f"Reminders not sent: {len(failures)}: {'; '.join(failures[:5])}.")
    messages.info(
        request,
        f"Reminders sent: {len(sent)}."
        if due
        else "No one to remind: every invited respondent with an e-mail address has submitted.",
    )
    return redirect("rounds:detail", pk=round_.pk)


@login_required
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation page; POST: close the round (its links stop working)."""
    round_ = _round(request, pk)
    if request.method == "POST" and round_.status == Round.Status.OPEN:
        with transaction.atomic():
            # Locked as a respondent's save locks it: a save in progress finishes first, a later one is refused.
            locked = Round.objects.select_for_update().get(pk=round_.pk)
            if locked.status == Round.Status.OPEN:
                locked.status = Round.Status.CLOSED
                locked.closed_at = timezone.now()
                locked.save(update_fields=["status", "closed_at"])
                record(request.user, "round.close", locked, organisation=round_.organisation)
        messages.info(request, "The round is closed: its links no longer open the questionnaire.")
        return redirect("rounds:detail", pk=round_.pk)
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405)
    submitted = Invitation.objects.filter(round=round_, submitted_at__isnull=False).count()
    return render(request, "rounds/close.jinja", {"round": round_, "submitted": submitted})


# Downloads: the answers file, the result JSON, the HTML report, the PDF report (rendered by the worker).


def _download(content: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return _no_store(response)


def _stem(round_: Round) -> str:
    return f"{round_.organisation.code}-{round_.assessment_date.isoformat()}-round-{round_.pk}"


def _scored(round_: Round) -> tuple[Rubric, Assessment]:
    rubric = _try_rubric(round_)
    if rubric is None:
        raise Http404("the round's rubric is no longer found")
    try:
        return rubric, round_assessment(round_, rubric)
    except InputError:
        raise Http404("no submitted answers to score") from None


@login_required
def download_answers(request: HttpRequest, pk: int) -> HttpResponse:
    """The round's submitted answers as one answers file (YAML), as ``qimaturity score`` reads it."""
    round_ = _round(request, pk)
    text = dump_answers(round_document(round_), source=f"round {round_.pk} ({round_.title})")
    with transaction.atomic():
        record(request.user, "round.download", round_, organisation=round_.organisation, format="yaml")
    return _download(text.encode("utf-8"), f"{_stem(round_)}.yaml", "application/yaml; charset=utf-8")


@login_required
def download_result(request: HttpRequest, pk: int) -> HttpResponse:
    """The round's result as ``qimaturity score ANSWERS --format json`` writes it."""
    round_ = _round(request, pk)
    rubric, assessment = _scored(round_)
    buffer = io.StringIO()
    write_json([qimaturity.score(rubric, assessment)], buffer)
    with transaction.atomic():
        record(request.user, "round.download", round_, organisation=round_.organisation, format="json")
    return _download(buffer.getvalue().encode("utf-8"), f"{_stem(round_)}-result.json", "application/json")


@login_required
def download_html(request: HttpRequest, pk: int) -> HttpResponse:
    """The gap report as HTML (``qimaturity report --format html``), dated today, as an attachment, in the brand of
    the consultancy through which the user administers the organisation (see :mod:`..organisations.brands`)."""
    round_ = _round(request, pk)
    rubric, assessment = _scored(round_)
    try:
        brand = report_brand(request.user, round_.organisation)
    except InputError as error:  # a consultancy's stored brand that no longer reads: say so, never drop it
        messages.error(request, f"The brand of this report cannot be used: {error}")
        return redirect(reverse("rounds:detail", kwargs={"pk": round_.pk}) + "#reports")
    html = qimaturity.report(rubric, assessment, format="html", report_date=timezone.localdate(), brand=brand)
    with transaction.atomic():
        record(request.user, "round.download", round_, organisation=round_.organisation, format="html")
    return _download(html, f"{_stem(round_)}-report.html", "text/html; charset=utf-8")


@login_required
@require_POST
def report_request(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the PDF gap report: the worker renders it into the data folder; the round page shows its state."""
    round_ = _round(request, pk)
    _scored(round_)  # nothing to render without submitted answers
    with transaction.atomic():
        report = Report.objects.create(round=round_, requested_by=request.user)
        record(request.user, "report.request", report, organisation=round_.organisation, format="pdf")
        queued = render_pdf_report.enqueue(report.pk)
        Report.objects.filter(pk=report.pk, task_id="").update(task_id=str(queued.id))
    messages.info(request, "The PDF report is being prepared. Reload this page in a minute to download it.")
    return redirect(reverse("rounds:detail", kwargs={"pk": round_.pk}) + "#reports")


@login_required
def report_download(request: HttpRequest, pk: int, report: int) -> HttpResponse:
    round_ = _round(request, pk)
    found = get_object_or_404(Report.objects.filter(round=round_).exclude(file=""), pk=report)
    path = reports_folder() / Path(found.file).name
    if not path.is_file():
        raise Http404("the report's file is gone")
    with transaction.atomic():
        record(request.user, "round.download", found, organisation=round_.organisation, format="pdf")
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=f"{_stem(round_)}-report.pdf", content_type="application/pdf"
    )
    response["Cache-Control"] = "no-store"
    return response


# Uploaded answers files and survey exports.


class UploadForm(forms.Form):
    file = forms.FileField()

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name or "").suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            raise forms.ValidationError(
                "The file must be an answers file (YAML or JSON) or a survey export (CSV, TSV or XLSX)"
            )
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file must be smaller than 2 MB")
        return upload


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _stored_upload(round_: Round, upload: Any) -> Path:
    """The upload written under the data folder's uploads (a name of our making, the client's suffix)."""
    folder = Path(settings.UPLOADS) / f"round-{round_.pk}"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
    path = folder / f"{stamp}-{secrets.token_hex(8)}{Path(upload.name).suffix.lower()}"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


def _round_problems(round_: Round, name: str, assessments: list[Assessment]) -> list[Problem]:
    """What the round itself refuses: another organisation, another rubric version, a respondent id it has."""
    problems = []
    taken = set(Invitation.objects.filter(round=round_).values_list("respondent_id", flat=True))
    for assessment in assessments:
        if assessment.organisation.id != round_.organisation.code:
            problems.append(
                Problem(
                    name,
                    None,
                    None,
                    "/organisation/id",
                    f"is {assessment.organisation.id!r}, not this round's organisation {round_.organisation.code!r}",
                    "upload only this organisation's answers",
                )
            )
        if assessment.rubric_version not in (None, round_.rubric_version):
            problems.append(
                Problem(
                    name,
                    None,
                    None,
                    "/rubric/version",
                    f"is {assessment.rubric_version}, not the round's {round_.rubric_version}",
                    "migrate the answers to the round's version first (qimaturity migrate)",
                )
            )
        for index, respondent in enumerate(assessment.respondents):
            if respondent.id in taken:
                problems.append(
                    Problem(
                        name,
                        None,
                        None,
                        f"/respondents/{index}/id",
                        f"{respondent.id!r} is already a respondent of this round",
                        "give the file's respondents ids the round does not have",
                    )
                )
            taken.add(respondent.id)
    return problems


def _save_upload(request: HttpRequest, round_: Round, name: str, assessments: list[Assessment]) -> int:
    now = timezone.now()
    count = 0
    for assessment in assessments:
        for respondent in assessment.respondents:
            invitation = Invitation.objects.create(
                round=round_,
                group=respondent.group or "",
                respondent_id=respondent.id,
                source=Invitation.Source.UPLOAD,
                submitted_at=now,
            )
            Answer.objects.bulk_create(
                Answer(
                    invitation=invitation,
                    question_id=answer.question_id,
                    level=answer.level,
                    na=answer.na,
                    justification=answer.justification or "",
                    comment=answer.comment or "",
                    evidence=[
                        {k: v for k, v in (("reference", item.reference), ("date", item.date)) if v}
                        for item in answer.evidence
                    ],
                )
                for answer in respondent.answers
            )
            count += 1
    return count


@login_required
def round_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload answers files or survey exports into an open round: read with the CLI's readers and checks, problems
    shown at their places, nothing saved unless every respondent is accepted."""
    round_ = _round(request, pk)
    context: dict[str, Any] = {"round": round_, "errors": [], "problems": [], "form": UploadForm()}
    if round_.status != Round.Status.OPEN:
        return render(request, "rounds/upload.jinja", {**context, "closed": True})
    if request.method != "POST":
        return render(request, "rounds/upload.jinja", context)
    if _content_length(request) > MAX_UPLOAD_BYTES + UPLOAD_FORM_SLACK:
        # Refused before the body is read: a large upload is not streamed to a temporary file first.
        context["errors"] = [{"text": "The file must be smaller than 2 MB", "href": "#id_file"}]
        context["file_error"] = "The file must be smaller than 2 MB"
        return render(request, "rounds/upload.jinja", context, status=413)
    form = UploadForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        context["errors"] = _error_list(form)
        return render(request, "rounds/upload.jinja", context, status=400)
    upload = form.cleaned_data["file"]
    name = Path(upload.name).name
    rubric = _try_rubric(round_)
    if rubric is None:
        raise Http404("the round's rubric is no longer found")
    path = _stored_upload(round_, upload)
    count = 0
    try:
        try:
            assessments = read_upload(path, name, rubric)
        except InputError as error:
            problems = list(error.problems)
        else:
            with transaction.atomic():
                # One upload into a round at a time: the respondent ids it has are read again under the lock, so
                # that the same file sent twice at once adds its respondents once and says so the second time.
                Round.objects.select_for_update().get(pk=round_.pk)
                problems = _round_problems(round_, name, assessments)
                if not problems:
                    count = _save_upload(request, round_, name, assessments)
                    record(
                        request.user,
                        "round.upload",
                        round_,
                        organisation=round_.organisation,
                        file=name,
                        stored=path.name,
                        respondents=count,
                    )
    except BaseException:
        path.unlink(missing_ok=True)  # a file whose reading failed is not kept
        raise
    if problems:
        path.unlink(missing_ok=True)  # a refused file is not kept
        context["problems"] = problems
        context["errors"] = [
            {
                "text": f"{name} has {len(problems)} problem{'s' if len(problems) > 1 else ''}: nothing was saved",
                "href": "#problems",
            }
        ]
        return render(request, "rounds/upload.jinja", context, status=400)
    messages.info(request, f"{name}: {count} respondent{'s' if count != 1 else ''} added to the round.")
    return redirect("rounds:detail", pk=round_.pk)


# The audit log.


@login_required
def audit_log(request: HttpRequest, code: str) -> HttpResponse:
    organisation = get_object_or_404(_organisations(request), code=code)
    entries = AuditEntry.objects.filter(organisation=organisation).select_related("actor")
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {"entry": entry, "at": timezone.localtime(entry.at), "detail": _detail_text(entry.detail)}
        for entry in page.object_list
    ]
    return render(request, "rounds/audit.jinja", {"organisation": organisation, "page": page, "rows": rows})


def _detail_text(detail: dict[str, Any]) -> str:
    """An entry's detail in words: ``key: value`` pairs, a mapping's items as ``key value``, a list's items one after
    another."""

    def text(value: Any) -> str:
        if isinstance(value, dict):
            return ", ".join(f"{k} {v}" for k, v in value.items())
        if isinstance(value, list):
            return ", ".join(str(item) for item in value) or "none"
        return str(value)

    return "; ".join(f"{key}: {text(value)}" for key, value in detail.items())
