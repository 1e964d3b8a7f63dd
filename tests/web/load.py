"""Many respondents at once against a running `qimaturity serve` (tests/web/running.py): the load of the load test
(tests/web/test_load.py) and of its benchmark (bench/bench_web_load.py).

:func:`make_round` opens a round of the bundled rubric ``qi-readiness`` with invitations across its respondent groups,
in the site's own database (``qimaturity manage shell -c``), and gives their tokens. :func:`run_load` has each
invitation's respondent fill the whole questionnaire at the same time as the others, each in a thread of its own,
as a browser does: over HTTPS trusting only the certificate serve made, with a cookie jar of its own (the CSRF
cookie), from the link to every page (its form parsed: the CSRF token, the hidden version, the questions' radios
and fields), posting an answer to every question, then the review, sending, and the thank-you page. Levels come from
a seeded random generator; some questions that allow N/A are answered N/A with a reason, some get a comment, and
where a page asks for evidence from a level, an answer at that level or above cites a document. :func:`saved`
reads back, through ``manage shell``, what the database holds, and :func:`check` compares it with what was posted.

Waits are bounded (each request, and the whole load); nothing asserts how long anything took. A respondent's
failure (a status other than 2xx or 3xx, an error summary on a page, a save that did not move on) is raised as
:class:`RespondentFailed` with the response's text.
"""

from __future__ import annotations

import html
import http.cookiejar
import ipaddress
import json
import random
import re
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import psutil

from tests.web.running import Site

GROUPS = {"board": 8, "managers": 12, "frontline": 22, "patient-partners": 8}
"""50 invitations across the rubric's four respondent groups."""
MAX_RESPONDENTS = 100
"""The most respondents (threads) :func:`run_load` starts."""
REQUEST_SECONDS = 120
"""The longest one request may take before the respondent fails (a hang turned into a failure)."""
LOAD_SECONDS = 900
"""The longest the whole load may take."""
ASSESSMENT_DATE = "2026-03-31"
EVIDENCE_DATE = (14, 1, 2026)  # day, month, year: within the rubric's 730 days before the assessment

MAKE_ROUND = """
import datetime, json
from django.utils import timezone
from qimaturity import load_rubric
from qimaturity.web.organisations.models import Organisation
from qimaturity.web.rounds.models import Invitation, Round
from qimaturity.web.rounds.tokens import new_token

groups = json.loads({groups!r})
rubric = load_rubric("qi-readiness")
organisation, _ = Organisation.objects.get_or_create(
    code="load-test", defaults={{"name": "Load Test NHS Trust", "type": "acute", "region": "north"}}
)
round_ = Round.objects.create(
    organisation=organisation, title="Load test", rubric_id=rubric.id, rubric_version=rubric.version,
    rubric_hash=rubric.content_hash, assessment_date=datetime.date.fromisoformat({date!r}),
    closes_on=timezone.localdate() + datetime.timedelta(days=28), groups=groups,
)
made = []
for group, count in groups.items():
    for number in range(1, count + 1):
        token, stored = new_token()
        invitation = Invitation.objects.create(
            round=round_, group=group, respondent_id=f"{{group}}-{{number}}", token_hash=stored
        )
        made.append({{"respondent_id": invitation.respondent_id, "group": group, "token": token}})
print(json.dumps({{"round": round_.pk, "invitations": made}}))
"""

READ_BACK = """
import json
from qimaturity import InputError
from qimaturity.web.rounds.assessment import round_assessment
from qimaturity.web.rounds.models import Answer, Invitation, Round

round_ = Round.objects.get(pk={round_id})
answers = [
    {{"respondent_id": a.invitation.respondent_id, "question_id": a.question_id, "level": a.level, "na": a.na,
      "justification": a.justification, "comment": a.comment, "evidence": a.evidence}}
    for a in Answer.objects.filter(invitation__round=round_).select_related("invitation")
]
invitations = {{i.respondent_id: i.submitted_at is not None for i in Invitation.objects.filter(round=round_)}}
try:
    assessment = round_assessment(round_)
    exported = {{"respondents": len(assessment.respondents),
                "answers": sum(len(r.answers) for r in assessment.respondents), "problems": None}}
except InputError as error:
    exported = {{"respondents": 0, "answers": 0, "problems": str(error)}}
print(json.dumps({{"answers": answers, "invitations": invitations, "exported": exported}}))
"""


@dataclass(frozen=True)
class Invited:
    respondent_id: str
    group: str
    token: str


def _printed(output: str) -> Any:
    """The JSON document a ``manage shell -c`` script printed on its last line (Django's shell may say things
    before it)."""
    return json.loads(output.strip().splitlines()[-1])


def make_round(site: Site, groups: dict[str, int] = GROUPS) -> tuple[int, list[Invited]]:
    """A round of qi-readiness in the site's database with ``groups``' invitations: its id and the invitations."""
    made = _printed(site.manage("shell", "-c", MAKE_ROUND.format(groups=json.dumps(groups), date=ASSESSMENT_DATE)))
    return int(made["round"]), [Invited(**item) for item in made["invitations"]]


# ---- a browser, roughly ----------------------------------------------------------------------------------------


class RespondentFailed(AssertionError):
    pass


@dataclass
class Response:
    status: int
    location: str
    text: str
    seconds: float


def _loopback(site: Site) -> bool:
    """Whether the site listens on a loopback address alone (serve's default, 127.0.0.1)."""
    listening = {
        connection.laddr.ip
        for connection in psutil.net_connections("tcp")
        if connection.laddr and connection.laddr.port == site.port and connection.status == psutil.CONN_LISTEN
    }
    return bool(listening) and all(ipaddress.ip_address(address).is_loopback for address in listening)


class _NoRedirects(urllib.request.HTTPErrorProcessor):
    """Every response as it comes (a redirect is followed by the respondent, so that a save is timed alone)."""

    def http_response(self, request: urllib.request.Request, response: Any) -> Any:
        return response

    https_response = http_response


class Browser:
    """One respondent's browser: its own cookie jar, the site's certificate as the only authority it trusts, the
    Origin and Referer headers a browser sends with a form."""

    def __init__(self, site: Site) -> None:
        self.origin = f"https://localhost:{site.port}"
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=site.context()),
            urllib.request.HTTPCookieProcessor(self.cookies),
            _NoRedirects(),
        )
        self.current = ""

    def _open(self, request: urllib.request.Request, who: str) -> Response:
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=REQUEST_SECONDS) as answer:
                text = answer.read().decode("utf-8", "replace")
                status, location = answer.status, answer.headers.get("Location", "")
        except (OSError, urllib.error.URLError) as error:
            raise RespondentFailed(f"{who}: {request.get_method()} {request.full_url} failed: {error!r}") from None
        response = Response(status, location, text, time.perf_counter() - started)
        if not 200 <= status < 400:
            raise RespondentFailed(f"{who}: {request.get_method()} {request.full_url} gave {status}:\n{text[:4000]}")
        if "nhsuk-error-summary" in text:
            raise RespondentFailed(f"{who}: {request.get_method()} {request.full_url} shows errors:\n{text[:8000]}")
        return response

    def get(self, path: str, who: str) -> Response:
        url = urllib.parse.urljoin(self.origin, path)
        headers = {"Referer": self.current} if self.current else {}
        response = self._open(urllib.request.Request(url, headers=headers), who)
        self.current = url
        return response

    def post(self, path: str, fields: list[tuple[str, str]], who: str) -> Response:
        url = urllib.parse.urljoin(self.origin, path)
        body = urllib.parse.urlencode(fields).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": self.origin,
            "Referer": self.current or url,
        }
        return self._open(urllib.request.Request(url, data=body, headers=headers, method="POST"), who)


class _Form(HTMLParser):
    """The fields of a page's form as a browser sees them: hidden and text inputs, textareas, radios by name."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden: dict[str, str] = {}
        self.texts: list[str] = []
        self.radios: dict[str, list[str]] = {}
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "a" and "href" in found:
            self.links.append(found["href"])
        if tag == "textarea" and found.get("name"):
            self.texts.append(found["name"])
        if tag != "input" or not found.get("name"):
            return
        kind = found.get("type", "text")
        if kind == "hidden":
            self.hidden[found["name"]] = found.get("value", "")
        elif kind == "radio":
            self.radios.setdefault(found["name"], []).append(found.get("value", ""))
        elif kind == "text":
            self.texts.append(found["name"])


def _form(text: str) -> _Form:
    parsed = _Form()
    parsed.feed(text)
    return parsed


EVIDENCE_FROM = re.compile(r"Evidence \(needed from level (\d+)[^)]*\).*?name=\"([^\"]+)-evidence\"", re.DOTALL)


@dataclass
class Filled:
    """What one respondent posted (question id -> the answer as the database should hold it) and their saves'
    latencies (seconds from a page's POST to its response)."""

    respondent_id: str
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    saves: list[float] = field(default_factory=list)
    pages: list[list[str]] = field(default_factory=list)
    """The question ids of each page saved, in order."""


def _answer_page(text: str, rng: random.Random, who: str) -> tuple[list[tuple[str, str]], dict[str, dict[str, Any]]]:
    """The fields a respondent posts for one page (every question answered), and the answers they stand for."""
    form = _form(text)
    if "csrfmiddlewaretoken" not in form.hidden or "version" not in form.hidden:
        raise RespondentFailed(f"{who}: a page without its CSRF token or version:\n{text[:4000]}")
    evidence_from = {qid: int(level) for level, qid in EVIDENCE_FROM.findall(text)}
    values: dict[str, str] = {name: "" for name in form.texts}  # a browser posts every field, empty or not
    expected: dict[str, dict[str, Any]] = {}
    for qid, options in form.radios.items():
        levels = [value for value in options if value != "na"]
        answer: dict[str, Any] = {"level": None, "na": False, "justification": "", "comment": "", "evidence": []}
        if "na" in options and rng.random() < 0.3:
            values[qid] = "na"
            reason = f"No such service at this trust ({who}, {qid})"
            values[f"{qid}-justification"] = reason
            answer.update(na=True, justification=reason)
        else:
            level = rng.choice(levels)
            values[qid] = level
            answer["level"] = int(level)
            if qid in evidence_from and int(level) >= evidence_from[qid]:
                reference = f"Board minutes, 14 January 2026, item {rng.randint(1, 20)}"
                day, month, year = EVIDENCE_DATE
                values[f"{qid}-evidence"] = reference
                values[f"{qid}-evidence-date-day"] = str(day)
                values[f"{qid}-evidence-date-month"] = str(month)
                values[f"{qid}-evidence-date-year"] = str(year)
                answer["evidence"] = [{"reference": reference, "date": f"{year}-{month:02d}-{day:02d}"}]
        if rng.random() < 0.2:
            comment = f"Seen on the wards – {who}, {qid}: “better than last year”"
            values[f"{qid}-comment"] = comment
            answer["comment"] = comment
        expected[qid] = answer
    fields = [("csrfmiddlewaretoken", form.hidden["csrfmiddlewaretoken"]), ("version", form.hidden["version"])]
    fields += list(values.items()) + [("action", "continue")]
    return fields, expected


def respond(site: Site, invited: Invited, seed: int, ready: threading.Barrier | None = None) -> Filled:
    """One respondent's whole questionnaire, as :func:`run_load` describes."""
    who = invited.respondent_id
    rng = random.Random(f"{seed}:{who}")
    browser = Browser(site)
    filled = Filled(who)
    link = f"/r/{invited.token}/"
    if ready is not None:
        ready.wait(REQUEST_SECONDS)
    start = browser.get(link, who)
    first = next((href for href in _form(start.text).links if "/page/1/" in href), None)
    if first is None:
        raise RespondentFailed(f"{who}: the link's page has no way to page 1:\n{start.text[:4000]}")
    path = html.unescape(first)
    while "/page/" in path:
        shown = browser.get(path, who)
        fields, expected = _answer_page(shown.text, rng, who)
        saved = browser.post(path, fields, who)
        if saved.status != 302 or not saved.location:
            raise RespondentFailed(f"{who}: saving {path} gave {saved.status}, not a redirect:\n{saved.text[:8000]}")
        filled.saves.append(saved.seconds)
        filled.pages.append(list(expected))
        filled.answers.update(expected)
        path = saved.location
    if not path.endswith("/review/"):
        raise RespondentFailed(f"{who}: the last page led to {path}, not the review")
    review = browser.get(path, who)
    if f"You have answered all {len(filled.answers)} questions" not in review.text:
        raise RespondentFailed(f"{who}: the review does not count {len(filled.answers)} answers:\n{review.text[:8000]}")
    token = _form(review.text).hidden.get("csrfmiddlewaretoken", "")
    sent = browser.post(path, [("csrfmiddlewaretoken", token)], who)
    if sent.status != 302:
        raise RespondentFailed(f"{who}: sending the answers gave {sent.status}:\n{sent.text[:8000]}")
    thanks = browser.get(sent.location, who)
    if "Your answers have been sent" not in thanks.text:
        raise RespondentFailed(f"{who}: no thank-you page after sending:\n{thanks.text[:4000]}")
    return filled


def run_load(site: Site, invitations: list[Invited], seed: int = 2026) -> list[Filled]:
    """Every invitation's respondent at once (one thread each, started together), bounded by :data:`LOAD_SECONDS`;
    the first respondent's failure is raised once all have stopped."""
    if not 0 < len(invitations) <= MAX_RESPONDENTS:
        raise ValueError(f"{len(invitations)} respondents: the load takes 1 to {MAX_RESPONDENTS}")
    if not _loopback(site):
        raise ValueError("the load is for a site on this machine's loopback address alone")
    ready = threading.Barrier(len(invitations))
    with ThreadPoolExecutor(max_workers=len(invitations), thread_name_prefix="respondent") as pool:
        futures = [pool.submit(respond, site, invited, seed, ready) for invited in invitations]
        done, pending = wait_for(futures, timeout=LOAD_SECONDS)
        if pending:
            ready.abort()
            raise RespondentFailed(f"{len(pending)} respondents had not finished after {LOAD_SECONDS} s")
    return [future.result() for future in futures]


# ---- what the database holds -----------------------------------------------------------------------------------


def saved(site: Site, round_id: int) -> dict[str, Any]:
    """The round's answers, its invitations (respondent id -> submitted) and its export, read by ``manage shell``."""
    return dict(_printed(site.manage("shell", "-c", READ_BACK.format(round_id=round_id))))


def check(filled: list[Filled], held: dict[str, Any]) -> int:
    """Raise unless the database holds exactly the answers posted, every invitation is submitted and the round
    exports as a valid answers document with every answer; the number of answers saved."""
    posted = {(f.respondent_id, qid): answer for f in filled for qid, answer in f.answers.items()}
    found = {
        (row["respondent_id"], row["question_id"]): {
            key: row[key] for key in ("level", "na", "justification", "comment", "evidence")
        }
        for row in held["answers"]
    }
    if len(held["answers"]) != len(posted) or found != posted:
        lost = sorted(set(posted) - set(found))[:10]
        extra = sorted(set(found) - set(posted))[:10]
        changed = sorted(key for key in set(posted) & set(found) if posted[key] != found[key])[:10]
        raise AssertionError(
            f"{len(posted)} answers posted, {len(held['answers'])} in the database: lost {lost}, not posted "
            f"{extra}, different {[(key, posted[key], found[key]) for key in changed]}"
        )
    unsent = sorted(rid for rid, submitted in held["invitations"].items() if not submitted)
    if unsent or len(held["invitations"]) != len(filled):
        raise AssertionError(f"invitations not submitted: {unsent} ({len(held['invitations'])} invitations)")
    exported = held["exported"]
    if exported["problems"] or exported != {"respondents": len(filled), "answers": len(posted), "problems": None}:
        raise AssertionError(f"the round does not export as the answers posted: {exported}")
    return len(posted)


def latencies(filled: list[Filled]) -> tuple[float, float, float]:
    """The saves' p50, p95 and maximum, in seconds."""
    saves = sorted(seconds for f in filled for seconds in f.saves)
    cuts = statistics.quantiles(saves, n=100, method="inclusive")
    return statistics.median(saves), cuts[94], saves[-1]
