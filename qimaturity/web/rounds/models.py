"""A round collects one assessment: invitations (one respondent's link each) and the answers saved through them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from qimaturity.web.organisations.models import Organisation


class Round(models.Model):
    """One assessment of one organisation being collected, from its opening to its closing date."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="rounds")
    title = models.CharField(max_length=200)
    # The rubric as the command line names it (a bundled id, or one in the site's rubric folder), with the version
    # and content hash it had when the round opened: a round whose rubric has since changed is flagged.
    rubric_id = models.CharField(max_length=100)
    rubric_version = models.CharField(max_length=40)
    rubric_hash = models.CharField(max_length=80)
    assessment_date = models.DateField()
    closes_on = models.DateField()
    # Respondent group id -> how many respondents of that group are invited.
    groups = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-assessment_date", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.organisation})"

    def takes_answers(self) -> bool:
        """Whether its links take answers: open, and its closing date not passed (the day itself still counts).
        Past the closing date a round still open takes no answer through a link; its admin may still upload
        answers gathered on paper, and closes it."""
        return self.status == Round.Status.OPEN and timezone.localdate() <= self.closes_on


class Invitation(models.Model):
    """One respondent of a round: their link (by its token's hash) or the file their answers came from."""

    class Source(models.TextChoices):
        LINK = "link", "Invitation link"
        UPLOAD = "upload", "Uploaded file"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="invitations")
    group = models.CharField(max_length=100)
    # The respondent id in the answers file the round exports (board-1, frontline-3, ...).
    respondent_id = models.CharField(max_length=100)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.LINK)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    email = models.EmailField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)  # the first page saved through the link: started
    reminded_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Raised by every save: a page saved from a tab that had an older version says the other tab's answers there
    # were replaced (the later save wins, with a notice).
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["round", "group", "respondent_id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "respondent_id"], name="one_respondent_id_a_round"),
        ]

    def __str__(self) -> str:
        return f"{self.respondent_id} of {self.round}"


class Answer(models.Model):
    """One respondent's answer to one question: a level or N/A, with a comment and evidence where given."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="answers")
    question_id = models.CharField(max_length=100)
    level = models.IntegerField(null=True, blank=True)
    na = models.BooleanField(default=False)
    justification = models.TextField(blank=True, default="")
    comment = models.TextField(blank=True, default="")
    # Evidence items as the answers file holds them: free-text {"reference": ..., "date": ...} items.
    evidence = models.JSONField(default=list, blank=True)
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["invitation", "question_id"]
        constraints = [
            models.UniqueConstraint(fields=["invitation", "question_id"], name="one_answer_a_question"),
            models.CheckConstraint(
                name="answer_is_a_level_or_na",
                condition=models.Q(level__isnull=False, na=False) | models.Q(level__isnull=True, na=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {'N/A' if self.na else self.level}"


class Report(models.Model):
    """A round's PDF gap report, asked for by an admin and rendered by the task queue's worker into the data folder
    (``reports/``), from where only the round's admins download it."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="reports")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    # The queued task's id (django-tasks), to tell a waiting report from one whose task failed.
    task_id = models.CharField(max_length=64, blank=True, default="")
    # The PDF's file name under the data folder's reports/, once rendered.
    file = models.CharField(max_length=200, blank=True, default="")
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"PDF report {self.pk} of {self.round}"
