"""The web application in a real browser: headless Chromium (Debian's, through Playwright) against the real running
`qimaturity serve` (tests/web/running.py), over HTTPS with the certificate serve made as the only one trusted.

Journeys:

- the QI lead of Northfield NHS Trust (an organisation admin) signs in, creates a round of qi-readiness through its
  pages (the rubric, then the organisation, dates and how many respondents of each group; each step once with
  errors) and copies the five invitation links from the links page: those are the links the respondents open. While
  the round is open the lead sees an invitation's page and uploads an answers file with problems (refused, nothing
  saved);
- five respondents of the round, from three groups (board, frontline, patient partners), answer it:
  one leaves mid-way and resumes from the same link in a new browser; one on a 390 px phone; one with the keyboard
  alone; one meets a page with errors. After they submit, the link shows the thank-you page and nothing else, and
  every answer they chose is in the site's database;
- the lead watches the response rates on the round page, closes the round through its confirmation page, sees the
  result, asks for the PDF gap report (rendered by the task worker serve runs: the round page is reloaded until its
  link is there, within a bounded wait), downloads it (read with pypdf), the answers file and the result JSON;
- a regulator signs in (after a wrong password: the error summary links to the field), sees the closed round's
  aggregates and the comparison, and is refused the answers (the Django admin's lists, another organisation's
  round, and the lead's round page, invitation page and downloads: 404, as the access matrix says);
- on every page type: axe-core (the npm package, node_modules/axe-core) finds no serious or critical violation,
  the browser's console has no error and the Content Security Policy blocks nothing.

The organisations, the lead's and the regulator's accounts (with their memberships) and a closed round of an
organisation outside the regulator's workspace are made in the site's database with ``qimaturity manage shell -c``
(:func:`make_accounts`), as an operator makes them; everything else is done in the browser.

Screenshots for the README: written to the folder ``QIMATURITY_SCREENSHOTS`` names (``docs/screenshots`` for the
committed ones), otherwise into the test's temporary folder. Without Chromium or axe-core the tests are skipped
with a loud message, except on a CI machine (CI=true), where they fail.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from qimaturity import load_assessment, load_rubric, score
from qimaturity.rubric.forms import build_form
from tests.browser import AXE, AXE_TAGS, CHROMIUM, CHROMIUM_ARGS, missing_for_axe
from tests.web.running import Site, start

pytestmark = [pytest.mark.slow, pytest.mark.subprocess]

RUBRIC = load_rubric("qi-readiness")
PASSWORD = "correct-horse-battery-staple-42"
REGULATOR = "regulator"
LEAD = "qi-lead"  # Northfield NHS Trust's QI lead: an organisation admin
ORGANISATION = "Northfield NHS Trust"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# The five respondents: (respondent id, group, how they answer).
RESPONDENTS = (
    ("board-1", "board", "leaves mid-way and resumes"),
    ("frontline-1", "frontline", "on a phone"),
    ("frontline-2", "frontline", "with the keyboard alone"),
    ("frontline-3", "frontline", "meets a page with errors"),
    ("patient-partners-1", "patient-partners", "with the mouse"),
)
# Written in a comment by frontline-3: the regulator's pages must never show it.
SECRET_COMMENT = "Huddles stopped in March on ward 7 (a respondent's own words)"


@pytest.fixture(scope="module", autouse=True)
def _browser_or_skip() -> None:
    missing = missing_for_axe()
    if missing:
        message = f"the browser journeys need {', '.join(missing)} (make test installs them)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


# ---- The site and what is in it -------------------------------------------------------------------------------

MAKE_ACCOUNTS = textwrap.dedent(
    """
    import datetime, json
    from django.contrib.auth import get_user_model
    from qimaturity import load_assessment, load_rubric, score
    from qimaturity.web.organisations.models import Membership, Organisation, Workspace
    from qimaturity.web.rounds.models import Round
    rubric = load_rubric("qi-readiness")
    northfield = Organisation.objects.create(code="northfield", name={organisation!r}, type="acute")
    elsewhere = Organisation.objects.create(code="elsewhere", name="Elsewhere NHS Trust", type="acute")
    Workspace.objects.create(slug="northfield", name="Northfield", kind="trust").organisations.add(northfield)
    region = Workspace.objects.create(slug="region", name="The region", kind="regulator")
    region.organisations.add(northfield)
    other = Round.objects.create(
        organisation=elsewhere, title="Elsewhere 2026", rubric_id=rubric.id, rubric_version=rubric.version,
        rubric_hash=rubric.content_hash, assessment_date=datetime.date(2026, 3, 31),
        closes_on=datetime.date.today() + datetime.timedelta(days=28), groups={{"board": 1}}, status="closed")
    users = get_user_model().objects
    Membership.objects.create(user=users.create_user({regulator!r}, password={password!r}), role="analyst",
                              workspace=region)
    Membership.objects.create(user=users.create_user({lead!r}, password={password!r}), role="admin",
                              organisation=northfield)
    print(json.dumps({{"other_round": other.pk}}))
    """
)

SAVED_ANSWERS = textwrap.dedent(
    """
    import json
    from qimaturity.web.rounds.models import Invitation
    found = {{}}
    for invitation in Invitation.objects.filter(round_id={round_id}).prefetch_related("answers"):
        found[invitation.respondent_id] = {{
            "submitted": invitation.submitted_at is not None,
            "answers": {{a.question_id: [a.level, a.comment] for a in invitation.answers.all()}},
        }}
    print(json.dumps(found))
    """
)


@dataclass
class Made:
    other_round: int


def make_accounts(site: Site) -> Made:
    """Northfield NHS Trust with its QI lead (an organisation admin), the regulator's workspace and account, and a
    closed round of an organisation outside that workspace, made through `qimaturity manage shell` as an operator
    makes them (users and memberships are the site admin's work, not the lead's). The lead makes the round itself in
    the browser (:class:`Lead`)."""
    code = MAKE_ACCOUNTS.format(organisation=ORGANISATION, regulator=REGULATOR, lead=LEAD, password=PASSWORD)
    made = json.loads(site.manage("shell", "-c", code).strip().splitlines()[-1])
    return Made(made["other_round"])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("serve")
    running = start(folder, folder / "data")
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def made(site: Site) -> Made:
    return make_accounts(site)


def spki_hash(certificate: Path) -> str:
    """The base64 SHA-256 of the certificate's public key, which Chromium's ``--ignore-certificate-errors-spki-list``
    takes: the browser trusts that one certificate (serve's own, self-signed) and no other error."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    key = x509.load_pem_x509_certificate(certificate.read_bytes()).public_key()
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    trust = f"--ignore-certificate-errors-spki-list={spki_hash(site.certificate)}"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, trust])
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go: ``QIMATURITY_SCREENSHOTS`` (docs/screenshots for the README), else a temporary
    folder of the test's."""
    wanted = os.environ.get("QIMATURITY_SCREENSHOTS")
    folder = Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# ---- Watching every page: axe, the console, the Content Security Policy ---------------------------------------

AXE_RUN = """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},
  resultTypes: ['violations']})).violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
  nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""
# Every violation the Content Security Policy reports, passed to the test through a binding (the listener is added
# by the browser to each document before the page's own scripts, so the policy does not apply to it).
CSP_LISTENER = """document.addEventListener('securitypolicyviolation', e =>
  window.cspViolation({directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile,
                       line: e.lineNumber, sample: e.sample}))"""


def path_of(url: str) -> str:
    return urlsplit(url).path


@dataclass
class Watch:
    """What the browser saw: axe's violations by page type, console errors and CSP violations with their page."""

    axe: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    console: list[tuple[str, str]] = field(default_factory=list)  # (page URL, message)
    csp: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)  # URL path -> the status a page was expected to have
    failed: list[tuple[str, str, int]] = field(default_factory=list)  # (page URL, URL, status) of every 4xx or 5xx

    def context(self, browser: Any, **options: Any) -> Any:
        """A new browser context (a browser of its own: no cookies shared) whose pages are all watched."""
        context = browser.new_context(**options)
        context.expose_binding("cspViolation", lambda source, found: self.csp.append((source["page"].url, found)))
        context.add_init_script(CSP_LISTENER)
        context.on("console", self._console)
        context.on("response", self._response)
        return context

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.console.append((message.page.url if message.page else "", message.text))

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.failed.append((response.frame.url, response.url, response.status))

    def check(self, page: Any, kind: str) -> None:
        """Run axe on the page as it is now, under ``kind`` (a page type), once per page type and viewport."""
        if kind in self.axe:
            return
        page.evaluate(AXE.read_text())  # in the page's own world through the DevTools protocol: no script element
        self.axe[kind] = page.evaluate(AXE_RUN, AXE_TAGS)

    def expected(self, page: str, url: str, status: int) -> bool:
        """A failed response the test asked for (the invalid link's 404, another organisation's round), or the
        /favicon.ico Chromium asks for on the Django admin's own pages, which link no icon (ours link the NHS.UK
        one): a 404 that is the admin's, not the site's."""
        if self.statuses.get(path_of(url)) == status:
            return True
        return path_of(url) == "/favicon.ico" and status == 404 and path_of(page).startswith("/admin/")

    def unexpected_failures(self) -> list[tuple[str, str, int]]:
        return [(page, url, status) for page, url, status in self.failed if not self.expected(page, url, status)]

    def unexpected_console(self) -> list[tuple[str, str]]:
        """Console errors, but for the browser's note of an expected failed response on the page (the page that
        asked for it, or the page itself when it is the failed response; the admin's pages as one, since Chromium
        asks for the icon once and may note it on the next page)."""

        def place(url: str) -> str:
            return "/admin/" if path_of(url).startswith("/admin/") else path_of(url)

        noted = {
            (place(where), f"Failed to load resource: the server responded with a status of {status} ()")
            for page, url, status in self.failed
            if self.expected(page, url, status)
            for where in (page, url)
        }
        return [(page, text) for page, text in self.console if (place(page), text) not in noted]


@pytest.fixture(scope="module")
def watch() -> Watch:
    return Watch()


# ---- A respondent in the browser ------------------------------------------------------------------------------

QUESTIONS = """() => {
  const groups = {};
  for (const input of document.querySelectorAll('form input[type=radio]')) {
    (groups[input.name] = groups[input.name] || []).push({value: input.value, id: input.id, checked: input.checked});
  }
  return groups;
}"""
FOCUSED = """() => {
  const e = document.activeElement;
  return {tag: e.tagName.toLowerCase(), type: e.type || null, name: e.name || null, value: e.value || null,
          id: e.id || null, text: (e.textContent || '').trim().slice(0, 80)};
}"""
# What shows where an element has the focus: its own outline and shadow, and for a radio (an input the NHS.UK
# frontend hides, drawing its circle as the label's ::before) the label's and the circle's.
FOCUS_STYLE = """(e) => {
  const pick = s => ({outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`, shadow: s.boxShadow,
                      background: s.backgroundColor, border: s.borderWidth});
  const label = e.labels && e.labels[0];
  return {self: pick(getComputedStyle(e)),
          label: label ? pick(getComputedStyle(label)) : null,
          circle: label ? pick(getComputedStyle(label, '::before')) : null};
}"""
OVERFLOW = """() => ({scroll: document.documentElement.scrollWidth, page: document.documentElement.clientWidth,
                     body: document.body.scrollWidth})"""


def chosen_level(respondent: str, question: str, values: list[str]) -> str:
    """The level a respondent chooses for a question: spread over the levels, the same on every run."""
    levels = [v for v in values if v != "na"]
    digest = hashlib.sha256(f"{respondent}/{question}".encode()).digest()
    return levels[digest[0] % len(levels)]


def asked(group: str) -> list[str]:
    """The question ids a group is asked, by the engine's own form."""
    return [item.question.id for item in build_form(RUBRIC, group=group).questions]


def page_count(group: str) -> int:
    return len(build_form(RUBRIC, group=group).domains)


@dataclass
class Respondent:
    id: str
    group: str
    token: str
    chosen: dict[str, str] = field(default_factory=dict)  # question id -> level value chosen
    notes: dict[str, Any] = field(default_factory=dict)  # what the journey saw, for the tests to check

    @property
    def link(self) -> str:
        return f"/r/{self.token}/"


def answer_page(page: Any, respondent: Respondent) -> dict[str, str]:
    """Choose a level for every question on the page with the mouse: question id -> value chosen."""
    chosen = {}
    for name, inputs in page.evaluate(QUESTIONS).items():
        value = chosen_level(respondent.id, name, [i["value"] for i in inputs])
        page.locator(f"label[for='{next(i['id'] for i in inputs if i['value'] == value)}']").click()
        chosen[name] = value
    return chosen


def save_and_continue(page: Any) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue").click()


class Journey:
    """The five respondents' journeys, run once for the module; each test checks what they saw."""

    def __init__(self, site: Site, tokens: dict[str, str], browser: Any, watch: Watch, screenshots: Path) -> None:
        self.site, self.browser, self.watch, self.screenshots = site, browser, watch, screenshots
        self.base = f"https://localhost:{site.port}"
        self.respondents = {rid: Respondent(rid, group, tokens[rid]) for rid, group, _ in RESPONDENTS}
        self.after_submission: dict[str, dict[str, str]] = {}
        self.invalid: dict[str, Any] = {}  # what an invalid link showed

    def url(self, path: str) -> str:
        return self.base + path

    def new_page(self, viewport: dict[str, int] = DESKTOP) -> tuple[Any, Any]:
        context = self.watch.context(self.browser, viewport=viewport)
        return context, context.new_page()

    def run(self) -> None:
        self.invalid_link()
        self.board_leaves_and_resumes(self.respondents["board-1"])
        self.on_a_phone(self.respondents["frontline-1"])
        self.keyboard_only(self.respondents["frontline-2"])
        self.with_errors(self.respondents["frontline-3"])
        self.with_the_mouse(self.respondents["patient-partners-1"])
        for respondent in self.respondents.values():
            self.link_after_submission(respondent)

    # -- pieces --

    def invalid_link(self) -> None:
        context, page = self.new_page()
        path = "/r/" + "x" * 43 + "/"
        self.watch.statuses[path] = 404
        response = page.goto(self.url(path))
        self.invalid = {"status": response.status, "h1": page.locator("h1").inner_text()}
        self.watch.check(page, "respondent: invalid link")
        context.close()

    def pages_with_the_mouse(self, page: Any, respondent: Respondent, first: int, last: int) -> None:
        for number in range(first, last + 1):
            assert page.url.partition("#")[0].endswith(f"/page/{number}/"), page.url
            self.watch.check(page, "respondent: page")
            respondent.chosen.update(answer_page(page, respondent))
            save_and_continue(page)

    def review_and_submit(self, page: Any, respondent: Respondent, kind: str = "respondent: review") -> None:
        assert page.url.partition("#")[0].endswith("/review/"), page.url
        respondent.notes["review h1"] = page.locator("h1").inner_text()
        self.watch.check(page, kind)
        with page.expect_navigation():
            page.get_by_role("button", name="Send my answers").click()
        respondent.notes["after submit"] = page.locator("h1").inner_text()
        self.watch.check(page, "respondent: thanks")

    def board_leaves_and_resumes(self, respondent: Respondent) -> None:
        """Three pages saved, the fourth answered but not saved, the browser closed; a new browser on the link."""
        context, page = self.new_page()
        page.goto(self.url(respondent.link))
        self.watch.check(page, "respondent: start")
        page.get_by_role("button", name="Start now").click()
        page.wait_for_url("**/page/1/")
        self.pages_with_the_mouse(page, respondent, 1, 3)
        answer_page(page, Respondent(respondent.id + "-unsaved", respondent.group, respondent.token))
        context.close()  # left mid-way: page 4 answered but never saved

        context, page = self.new_page()
        page.goto(self.url(respondent.link))
        respondent.notes["resumed start"] = page.locator(".nhsuk-inset-text").inner_text()
        self.watch.check(page, "respondent: start, resuming")
        with page.expect_navigation():
            page.get_by_role("button", name="Continue where you left off").click()
        respondent.notes["resumed at"] = page.url.rsplit("/r/", 1)[1].split("/", 1)[1]
        respondent.notes["page 4 checked on return"] = {
            name: [i["value"] for i in inputs if i["checked"]] for name, inputs in page.evaluate(QUESTIONS).items()
        }
        # Pages 1 to 3 as saved before the browser was closed.
        found: dict[str, str] = {}
        for number in (1, 2, 3):
            page.goto(self.url(f"{respondent.link}page/{number}/"))
            for name, inputs in page.evaluate(QUESTIONS).items():
                found.update((name, i["value"]) for i in inputs if i["checked"])
        respondent.notes["found after resuming"] = found
        page.goto(self.url(f"{respondent.link}page/4/"))
        self.pages_with_the_mouse(page, respondent, 4, page_count(respondent.group))
        page.screenshot(path=str(self.screenshots / "web-review.png"))
        self.review_and_submit(page, respondent)
        context.close()

    def on_a_phone(self, respondent: Respondent) -> None:
        context, page = self.new_page(PHONE)
        widths: dict[str, dict[str, int]] = {}
        page.goto(self.url(respondent.link))
        widths["start"] = page.evaluate(OVERFLOW)
        self.watch.check(page, "respondent: start (390 px)")
        with page.expect_navigation():
            page.get_by_role("button", name="Start now").click()
        for number in range(1, page_count(respondent.group) + 1):
            widths[f"page {number}"] = page.evaluate(OVERFLOW)
            self.watch.check(page, "respondent: page (390 px)")
            if number == 1:
                page.screenshot(path=str(self.screenshots / "web-respondent-page-390.png"))
            respondent.chosen.update(answer_page(page, respondent))
            save_and_continue(page)
        widths["review"] = page.evaluate(OVERFLOW)
        self.watch.check(page, "respondent: review (390 px)")
        with page.expect_navigation():
            page.get_by_role("button", name="Send my answers").click()
        widths["thanks"] = page.evaluate(OVERFLOW)
        respondent.notes["after submit"] = page.locator("h1").inner_text()
        respondent.notes["widths"] = widths
        context.close()

    def keyboard_only(self, respondent: Respondent) -> None:
        """Tab, Space, the arrow keys and Enter: no click from the start page to the thank-you page."""
        context, page = self.new_page()
        page.goto(self.url(respondent.link))
        self.tab_to(page, lambda f: f["tag"] == "a" and f["text"] == "Start now", "the Start now link")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        focus: dict[str, Any] = {}
        for number in range(1, page_count(respondent.group) + 1):
            assert page.url.partition("#")[0].endswith(f"/page/{number}/"), page.url
            questions = page.evaluate(QUESTIONS)
            first_radio = next(iter(questions.values()))[0]["id"]
            save = page.get_by_role("button", name="Save and continue")
            unfocused = {
                "radio": page.locator(f"#{first_radio}").evaluate(FOCUS_STYLE),
                "button": save.evaluate(FOCUS_STYLE),
            }
            done: set[str] = set()
            for _ in range(60 * len(questions)):
                page.keyboard.press("Tab")
                now = page.evaluate(FOCUSED)
                if now["type"] == "radio" and now["name"] not in done:
                    if number == 1 and not focus.get("radio"):
                        focused = page.locator(f"#{now['id']}").evaluate(FOCUS_STYLE)
                        focus["radio"] = (unfocused["radio"], focused, now["id"], first_radio)
                    values = [i["value"] for i in questions[now["name"]]]
                    value = chosen_level(respondent.id, now["name"], values)
                    # Tab lands on a group's first radio; Space chooses it, each arrow down the next one.
                    page.keyboard.press("Space")
                    for _ in range(values.index(value)):
                        page.keyboard.press("ArrowDown")
                    respondent.chosen[now["name"]] = value
                    done.add(now["name"])
                elif now["tag"] == "button" and now["value"] == "continue":
                    if number == 1:
                        focus["button"] = (unfocused["button"], save.evaluate(FOCUS_STYLE))
                    assert done == set(questions), f"page {number}: reached the button having answered {done}"
                    with page.expect_navigation():
                        page.keyboard.press("Enter")
                    break
            else:
                raise AssertionError(f"page {number}: Tab never reached Save and continue")
        self.tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Send my answers", "Send my answers")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        respondent.notes["after submit"] = page.locator("h1").inner_text()
        respondent.notes["focus"] = focus
        context.close()

    @staticmethod
    def tab_to(page: Any, wanted: Any, what: str, most: int = 300) -> None:
        for _ in range(most):
            page.keyboard.press("Tab")
            if wanted(page.evaluate(FOCUSED)):
                return
        raise AssertionError(f"Tab never reached {what}")

    def with_errors(self, respondent: Respondent) -> None:
        """A comment without an answer: nothing saved, an error summary linking to the question; then right."""
        context, page = self.new_page()
        page.goto(self.url(f"{respondent.link}page/1/"))
        questions = page.evaluate(QUESTIONS)
        first = next(iter(questions))
        chosen = answer_page(page, respondent)
        page.reload()  # the page as it was: nothing chosen
        page.fill(f"#{first}-comment", SECRET_COMMENT)
        save_and_continue(page)
        summary = page.locator(".nhsuk-error-summary")
        links = summary.locator("a")
        respondent.notes["errors"] = {
            "title": page.title(),
            "url": page.url,
            "links": [(links.nth(i).inner_text(), links.nth(i).get_attribute("href")) for i in range(links.count())],
            "summary focused": page.evaluate("() => document.activeElement.closest('.nhsuk-error-summary') !== null"),
        }
        self.watch.check(page, "respondent: page with errors")
        page.screenshot(path=str(self.screenshots / "web-respondent-errors.png"))
        links.first.click()
        respondent.notes["errors"]["focus after link"] = page.evaluate("() => document.activeElement.id")
        answer_page(page, respondent)
        respondent.chosen.update(chosen)
        save_and_continue(page)
        self.pages_with_the_mouse(page, respondent, 2, page_count(respondent.group))
        self.review_and_submit(page, respondent)
        context.close()

    def with_the_mouse(self, respondent: Respondent) -> None:
        """First an attempt to send with nothing answered (the review lists every page, each linking to its first
        question), then every page with the mouse."""
        context, page = self.new_page()
        page.goto(self.url(respondent.link + "review/"))
        with page.expect_navigation():
            page.get_by_role("button", name="Send my answers").click()
        links = page.locator(".nhsuk-error-summary a")
        respondent.notes["sent too early"] = {
            "title": page.title(),
            "links": [(links.nth(i).inner_text(), links.nth(i).get_attribute("href")) for i in range(links.count())],
        }
        self.watch.check(page, "respondent: review with errors")
        with page.expect_navigation():
            links.first.click()
        respondent.notes["sent too early"]["link went to"] = page.url.rsplit("/", 2)[-2:]
        respondent.chosen.update(answer_page(page, respondent))
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=str(self.screenshots / "web-respondent-page-1280.png"))
        save_and_continue(page)
        self.pages_with_the_mouse(page, respondent, 2, page_count(respondent.group))
        self.review_and_submit(page, respondent)
        context.close()

    def link_after_submission(self, respondent: Respondent) -> None:
        context, page = self.new_page()
        seen = {}
        for path in ("", "page/1/", "review/"):
            response = page.goto(self.url(respondent.link + path))
            seen[path or "start"] = {
                "status": str(response.status),
                "h1": page.locator("h1").inner_text(),
                "fields": str(page.locator("main input, main textarea, main button").count()),
            }
        self.after_submission[respondent.id] = {k: " / ".join(v.values()) for k, v in seen.items()}
        context.close()


@pytest.fixture(scope="module")
def journey(site: Site, lead: Lead, browser: Any, watch: Watch, screenshots: Path) -> Journey:
    running = Journey(site, lead.tokens, browser, watch, screenshots)
    running.run()
    return running


# ---- The QI lead in the browser -------------------------------------------------------------------------------

# An answers file with problems at their places (no rubric, no respondents): refused on the upload page, nothing saved.
BAD_UPLOAD = b"organisation:\n  id: northfield\nassessment_date: 2026-03-31\nrespondents: not a list\n"
PDF_SECONDS = 180  # the bounded wait for the worker to render the PDF report (a deadline, not a measure)


@dataclass
class Lead:
    """The QI lead's journey, in two parts around the respondents': opening the round (:meth:`open_round`) and,
    once the five have submitted, closing it and downloading its result (:meth:`close_round`). One browser context
    (signed in once) for both."""

    site: Site
    browser: Any
    watch: Watch
    screenshots: Path
    folder: Path  # where the downloads are kept
    context: Any = None
    page: Any = None
    round: int = 0
    tokens: dict[str, str] = field(default_factory=dict)  # respondent id -> token, copied from the links page
    links: dict[str, dict[str, str]] = field(default_factory=dict)  # respondent id -> group, link as shown
    paths: dict[str, str] = field(default_factory=dict)  # the round's own pages and downloads, for the regulator
    notes: dict[str, Any] = field(default_factory=dict)
    downloads: dict[str, Path] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"https://localhost:{self.site.port}"

    def goto(self, path: str) -> Any:
        return self.page.goto(self.base + path)

    def submit(self, name: str) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=name).click()

    def error_links(self) -> list[tuple[str, str, bool]]:
        """The error summary's links: text, target, and whether the target is on the page."""
        return self.page.evaluate(
            """() => [...document.querySelectorAll('.nhsuk-error-summary a')].map(a =>
                [a.textContent.trim(), a.getAttribute('href'),
                 document.getElementById(a.getAttribute('href').slice(1)) !== null])"""
        )

    def rates(self) -> dict[str, list[str]]:
        """The round page's responses table: group -> invited, started, submitted, rate, from uploaded files."""
        return self.page.evaluate(
            """() => Object.fromEntries([...document.querySelectorAll('#responses + div tbody tr')].map(r =>
                [r.querySelector('th').textContent.trim(), [...r.querySelectorAll('td')].map(d =>
                 d.textContent.trim())]))"""
        )

    def sign_in(self) -> None:
        self.context = self.watch.context(self.browser, viewport=DESKTOP)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.goto("/rounds/")
        self.notes["sent to"] = self.page.url.removeprefix(self.base)
        self.watch.check(self.page, "login")
        self.page.fill("#id_username", LEAD)
        self.page.fill("#id_password", PASSWORD)
        self.submit("Sign in")
        self.notes["after sign in"] = self.page.url.removeprefix(self.base)
        self.notes["rounds before"] = self.page.locator("main").inner_text()
        self.watch.check(self.page, "lead: rounds list")

    def open_round(self) -> None:
        """Sign in, create the round (each step once with errors), copy the five links; the round page, an
        invitation's page, an upload refused with its problems and the audit log, while the round is open."""
        self.sign_in()
        page = self.page
        with page.expect_navigation():
            page.get_by_role("link", name=f"Create a round for {ORGANISATION}").click()
        self.watch.check(page, "lead: create, rubric")
        self.submit("Continue")  # no rubric chosen
        self.notes["rubric errors"] = {"title": page.title(), "links": self.error_links()}
        self.watch.check(page, "lead: create, rubric with errors")
        page.locator("label", has_text=f"({RUBRIC.id} {RUBRIC.version})").click()
        self.submit("Continue")
        self.watch.check(page, "lead: create")
        self.notes["organisation chosen"] = page.locator("#id_organisation option:checked").inner_text()
        self.submit("Create the round and its links")  # nothing filled in
        self.notes["create errors"] = {"title": page.title(), "links": self.error_links()}
        self.watch.check(page, "lead: create with errors")
        page.fill("#id_title", "Northfield 2026")
        page.fill("#id_assessment_date", "2026-03-31")
        closes = page.evaluate("() => new Date(Date.now() + 28 * 864e5).toISOString().slice(0, 10)")
        page.fill("#id_closes_on", closes)
        counts: dict[str, int] = {}
        for _, group, _ in RESPONDENTS:
            counts[group] = counts.get(group, 0) + 1
        for group, count in counts.items():
            page.fill(f"#id_group-{group}", str(count))
        self.submit("Create the round and its links")
        self.notes["links url"] = page.url.removeprefix(self.base)
        to_round = page.locator("main a", has_text="Go to the round").get_attribute("href") or ""
        self.round = int(to_round.rstrip("/").split("/")[-1])
        self.notes["links warning"] = page.locator("main").inner_text()
        for row in page.locator("main tbody tr").all():
            respondent, group, link = (cell.inner_text().strip() for cell in row.locator("td").all())
            self.links[respondent] = {"group": group, "link": link}
            self.tokens[respondent] = urlsplit(link).path.removeprefix("/r/").strip("/")
        self.watch.check(page, "lead: links")
        page.screenshot(path=str(self.screenshots / "web-lead-links.png"))
        page.reload()  # shown once: a reload sends the form again, which makes nothing and shows no link
        self.notes["links again"] = {
            "url": page.url.removeprefix(self.base),
            "links": page.locator("main code.qim-link").count(),
            "text": page.locator("main").inner_text(),
        }
        page.goto(f"{self.base}/rounds/{self.round}/")
        self.paths["round"] = page.url.removeprefix(self.base)
        self.notes["rates before"] = self.rates()
        self.watch.check(page, "lead: round (open)")
        page.locator("summary", has_text="Respondents").click()
        with page.expect_navigation():
            page.get_by_role("link", name="New link or e-mail for frontline-1").click()
        self.paths["invitation"] = page.url.removeprefix(self.base)
        self.notes["invitation h1"] = page.locator("h1").inner_text()
        self.watch.check(page, "lead: invitation")
        self.goto(self.paths["round"])
        with page.expect_navigation():
            page.locator("main a", has_text="Upload answers files").click()
        self.watch.statuses[path_of(page.url)] = 400  # the refused upload's page
        page.set_input_files(
            "input[type=file][name=file]", {"name": "ward-7.yaml", "mimeType": "application/yaml", "buffer": BAD_UPLOAD}
        )
        self.submit("Upload and check")
        self.notes["upload"] = {
            "title": page.title(),
            "summary": page.locator(".nhsuk-error-summary").inner_text(),
            "links": self.error_links(),
            "problems": page.locator("#problems + div tbody tr").count(),
        }
        self.watch.check(page, "lead: upload with problems")

    def close_round(self) -> None:
        """The response rates once the five have submitted, closing through the confirmation, the result, the PDF
        report (the worker renders it: the round page is reloaded until its link is there, bounded) and the
        downloads; the audit log of it all."""
        page = self.page
        self.goto(self.paths["round"])
        self.notes["rates after"] = self.rates()
        # the page down to the responses table and the round's actions under it
        actions = page.locator("#remind-hint").bounding_box()
        clip = {"x": 0, "y": 0, "width": DESKTOP["width"], "height": actions["y"] + actions["height"] + 24}
        page.screenshot(path=str(self.screenshots / "web-lead-round.png"), full_page=True, clip=clip)
        with page.expect_navigation():
            page.locator("main a", has_text="Close the round").click()
        self.notes["close page"] = page.locator("main").inner_text()
        self.watch.check(page, "lead: close confirmation")
        self.submit("Close the round")
        self.notes["after close"] = {
            "url": page.url.removeprefix(self.base),
            "status": page.locator(".nhsuk-summary-list .nhsuk-tag").inner_text(),
            "result": page.locator("#result ~ p.nhsuk-body-l").inner_text(),
            "domains": page.locator("#result ~ div table tbody tr").count(),
            "buttons": page.locator("main a", has_text="Close the round").count(),
        }
        self.watch.check(page, "lead: round (closed)")
        self.submit("Prepare the PDF report")
        link = page.get_by_role("link", name="Download the PDF gap report")
        deadline = time.monotonic() + PDF_SECONDS
        while not link.count() and not page.get_by_text("could not be prepared").count():
            assert time.monotonic() < deadline, f"no PDF report within {PDF_SECONDS} s:\n{self.site.stderr}"
            page.wait_for_timeout(1000)
            page.reload()
        self.notes["report state"] = page.locator("#reports ~ h3 + *").first.inner_text()
        self.paths["report"] = link.get_attribute("href")
        self.download("report.pdf", link)
        self.download("answers.yaml", page.get_by_role("link", name="Answers file"))
        self.download("result.json", page.get_by_role("link", name="Result (JSON"))
        self.paths["answers"] = page.get_by_role("link", name="Answers file").get_attribute("href")
        self.paths["result"] = page.get_by_role("link", name="Result (JSON").get_attribute("href")
        with page.expect_navigation():
            page.get_by_role("link", name=f"Audit log of {ORGANISATION}").click()
        self.notes["audit"] = page.locator("main tbody").inner_text()
        self.watch.check(page, "lead: audit log")
        self.context.close()

    def download(self, name: str, link: Any) -> None:
        with self.page.expect_download() as started:
            link.click()
        found = started.value
        path = self.folder / name
        found.save_as(path)  # the browser's copy goes with its context
        self.downloads[name] = path
        self.notes.setdefault("download names", {})[name] = found.suggested_filename


@pytest.fixture(scope="module")
def lead(
    site: Site, made: Made, browser: Any, watch: Watch, screenshots: Path, tmp_path_factory: pytest.TempPathFactory
) -> Lead:
    """The QI lead has opened the round and copied its links: what the five respondents use."""
    running = Lead(site, browser, watch, screenshots, tmp_path_factory.mktemp("downloads"))
    running.open_round()
    return running


@pytest.fixture(scope="module")
def closed(lead: Lead, journey: Journey) -> Lead:
    """Once the five have submitted, the QI lead closes the round and downloads its result."""
    lead.close_round()
    return lead


# ---- The regulator in the browser -----------------------------------------------------------------------------


@dataclass
class Regulator:
    notes: dict[str, Any] = field(default_factory=dict)


@pytest.fixture(scope="module")
def regulator(site: Site, made: Made, closed: Lead, watch: Watch, browser: Any, screenshots: Path) -> Regulator:
    """Once the QI lead has closed the round, the regulator signs in (a wrong password first)."""
    seen = Regulator()
    context = watch.context(browser, viewport=DESKTOP)
    page = context.new_page()
    base = closed.base
    page.goto(base + "/cohorts/")
    seen.notes["sent to"] = page.url.removeprefix(base)
    watch.check(page, "login")
    page.fill("#id_username", REGULATOR)
    page.fill("#id_password", "not-the-password")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".nhsuk-error-summary")
    seen.notes["login error"] = {
        "title": page.title(),
        "summary": summary.inner_text() if summary.count() else None,
        "links": [summary.locator("a").nth(i).get_attribute("href") for i in range(summary.locator("a").count())],
        "labels": page.evaluate(
            "() => [...document.querySelectorAll('main input:not([type=hidden])')].map(i =>"
            " [i.id, i.labels.length ? i.labels[0].textContent.trim() : null])"
        ),
    }
    watch.check(page, "login with errors")
    if summary.count():
        summary.locator("a").first.click()
        seen.notes["login error"]["focus after link"] = page.evaluate("() => document.activeElement.id")
    page.fill("#id_username", REGULATOR)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    seen.notes["after sign in"] = page.url.removeprefix(base)
    watch.check(page, "regulator: index")
    page.goto(base + "/")
    watch.check(page, "home")
    page.goto(base + "/cohorts/")
    with page.expect_navigation():
        page.get_by_role("link", name="Northfield 2026").click()
    seen.notes["round url"] = page.url.removeprefix(base)
    seen.notes["round text"] = page.locator("main").inner_text()
    seen.notes["round html"] = page.content()
    watch.check(page, "regulator: round")
    page.screenshot(path=str(screenshots / "web-regulator-round.png"), full_page=True)
    page.goto(base + "/cohorts/compare/")
    seen.notes["compare html"] = page.content()
    watch.check(page, "regulator: compare")
    refused = {}
    for path in (
        "/admin/rounds/answer/",
        "/admin/rounds/invitation/",
        f"/cohorts/rounds/{made.other_round}/",
    ):
        response = page.goto(base + path)
        chain, request = [], response.request
        while request is not None:
            chain.insert(0, request)
            request = request.redirected_from
        refused[path] = {
            "statuses": [r.response().status for r in chain],
            "final": page.url.removeprefix(base),
            "text": page.locator("body").inner_text(),
        }
        if response.status == 404:
            watch.statuses[path] = 404
    # The QI lead's round, one of its invitations and its downloads: the admin's, 404 to a regulator (the access
    # matrix, tests/web/access/rounds.py: not found, never a 403 that says they exist).
    for name in ("round", "invitation"):
        path = closed.paths[name]
        response = page.goto(base + path)
        refused[path] = {"statuses": [response.status], "text": page.locator("body").inner_text()}
        watch.statuses[path] = response.status if response.status == 404 else 0
    for name in ("answers", "result", "report"):
        path = closed.paths[name]
        # fetched by the page itself (the browser's session and its trust of serve's certificate): a download
        # is not a page to go to
        status, kind = page.evaluate(
            "async (u) => { const r = await fetch(u, {redirect: 'manual'}); return [r.status,"
            " r.headers.get('content-type')]; }",
            path,
        )
        refused[path] = {"statuses": [status], "type": kind}
        if status == 404:
            watch.statuses[path] = 404
    seen.notes["refused"] = refused
    context.close()
    return seen


# ---- The tests ------------------------------------------------------------------------------------------------


def test_the_lead_signs_in_and_creates_the_round_and_its_links(lead):
    """The five respondents' links are the ones the QI lead copied from the links page, made for the counts the
    lead typed (board 1, frontline 3, patient partners 1), shown once."""
    notes = lead.notes
    assert notes["sent to"] == "/login/?next=/rounds/"
    assert notes["after sign in"] == "/rounds/"
    assert "No rounds yet." in notes["rounds before"]
    assert notes["organisation chosen"] == ORGANISATION
    assert notes["links url"] == "/rounds/new/"  # the links are in the answer to the form, and nowhere else
    names = {group.id: group.name for group in RUBRIC.respondent_groups}
    assert {rid: seen["group"] for rid, seen in lead.links.items()} == {rid: names[g] for rid, g, _ in RESPONDENTS}
    for rid, seen in lead.links.items():
        assert seen["link"] == f"{lead.base}/r/{lead.tokens[rid]}/", rid
    assert len(set(lead.tokens.values())) == len(RESPONDENTS)
    assert "shown this once" in notes["links warning"]
    # Gone once shown: the reload sent the form again, which made no second round and says so.
    assert notes["links again"]["url"] == "/rounds/" and notes["links again"]["links"] == 0
    assert "That form was sent before" in notes["links again"]["text"]
    assert notes["links again"]["text"].count("Northfield 2026") == 1, notes["links again"]["text"]


def test_each_create_step_with_errors_links_to_its_fields(lead):
    """Continue with no rubric chosen, then the round's form sent empty: an error summary each time, every link to a
    field on the page (the form's required fields, and the first group's count for 0 respondents in all)."""
    rubric = lead.notes["rubric errors"]
    assert rubric["title"].startswith("Error: ")
    assert rubric["links"] == [["Choose the rubric respondents will answer", "#rubric", True]]
    create = lead.notes["create errors"]
    assert create["title"].startswith("Error: ")
    assert [href for _, href, _ in create["links"]] == [
        "#id_title",
        "#id_assessment_date",
        "#id_closes_on",
        "#id_group-board",
    ]
    assert all(found for _, _, found in create["links"]), create
    assert create["links"][-1][0] == "Invite at least one respondent"


def test_an_upload_with_problems_is_refused_and_saves_nothing(lead, closed):
    upload = lead.notes["upload"]
    assert upload["title"].startswith("Error: ")
    assert f"ward-7.yaml has {upload['problems']} problems: nothing was saved" in upload["summary"]
    assert upload["problems"] >= 1
    assert upload["links"] == [[f"ward-7.yaml has {upload['problems']} problems: nothing was saved", "#problems", True]]
    # nothing from it in the round: no respondent from uploaded files once the round is closed
    assert {group: row[4] for group, row in closed.notes["rates after"].items()} == dict.fromkeys(
        closed.notes["rates after"], "0"
    )


def test_the_lead_watches_the_response_rates(lead, closed):
    """Group: invited, started, submitted, response rate, from uploaded files. Before anyone answers, 0 of each
    group's count (managers invited 0: no rate); once the five have sent their answers, 1 of 1, 3 of 3, 1 of 1."""
    assert lead.notes["rates before"] == {
        "Board": ["1", "0", "0", "0%", "0"],
        "Managers": ["0", "0", "0", "—", "0"],
        "Frontline staff": ["3", "0", "0", "0%", "0"],
        "Patient partners": ["1", "0", "0", "0%", "0"],
    }
    assert closed.notes["rates after"] == {
        "Board": ["1", "1", "1", "100%", "0"],
        "Managers": ["0", "0", "0", "—", "0"],
        "Frontline staff": ["3", "3", "3", "100%", "0"],
        "Patient partners": ["1", "1", "1", "100%", "0"],
    }
    assert lead.notes["invitation h1"] == "Northfield 2026\nfrontline-1 (Frontline staff)"


def test_the_lead_closes_the_round_and_sees_the_result(closed):
    notes = closed.notes
    assert "Closing cannot be undone" in notes["close page"]
    assert "from the 5 respondents who have submitted" in notes["close page"]
    after = notes["after close"]
    assert after["url"] == closed.paths["round"]
    assert after["status"] == "Closed"
    assert after["buttons"] == 0  # nothing left to close
    assert after["domains"] == len(RUBRIC.domains)
    # The page's overall level and the result JSON's domains are the engine's, scoring the answers file the page
    # gives for download.
    engine = score(RUBRIC, load_assessment(closed.downloads["answers.yaml"], RUBRIC))
    assert after["result"].startswith(f"Overall: level {engine.overall.level} ({engine.overall.level_name})")
    result = json.loads(closed.downloads["result.json"].read_text())
    assert [(d["id"], d["level"]) for d in result["domains"]] == [(d.id, d.level) for d in engine.domains]


def test_the_pdf_report_and_the_downloads(closed):
    """The PDF the worker rendered (pypdf reads it: pages, the organisation's name), the answers file with the five
    respondents, the result JSON: each named by organisation, assessment date and round."""
    import yaml
    from pypdf import PdfReader

    notes = closed.notes
    assert notes["report state"].startswith("Download the PDF gap report (prepared ")
    stem = f"northfield-2026-03-31-round-{closed.round}"
    assert notes["download names"] == {
        "report.pdf": f"{stem}-report.pdf",
        "answers.yaml": f"{stem}.yaml",
        "result.json": f"{stem}-result.json",
    }
    pdf = PdfReader(closed.downloads["report.pdf"])
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert len(pdf.pages) >= 2
    assert ORGANISATION in text
    answers = yaml.safe_load(closed.downloads["answers.yaml"].read_text())
    assert answers["organisation"]["name"] == ORGANISATION
    assert {r["id"]: r["group"] for r in answers["respondents"]} == {rid: group for rid, group, _ in RESPONDENTS}


def test_every_respondents_answers_are_in_the_database(site, lead, journey):
    """What each of the five chose in the browser is what the site's database holds, for every question their
    group is asked (board 34 questions on 9 pages, frontline 33 on 9, patient partners 11 on 5: the engine's form),
    and each invitation is submitted."""
    saved = json.loads(site.manage("shell", "-c", SAVED_ANSWERS.format(round_id=lead.round)).strip().splitlines()[-1])
    assert set(saved) == set(journey.respondents)
    for rid, respondent in journey.respondents.items():
        assert saved[rid]["submitted"], rid
        assert sorted(respondent.chosen) == sorted(asked(respondent.group)), rid
        levels = {qid: str(level) for qid, (level, _) in saved[rid]["answers"].items()}
        assert levels == respondent.chosen, rid
    first = asked("frontline")[0]
    # the comment first sent without an answer (refused), then saved with the answer chosen on the same page
    assert saved["frontline-3"]["answers"][first][1] == SECRET_COMMENT


def test_leaving_mid_way_and_resuming_from_the_link_keeps_the_saved_pages(journey):
    board = journey.respondents["board-1"]
    saved_before = {qid: board.chosen[qid] for qid in board.notes["found after resuming"]}
    on_first_three = sum(len(d.questions) for d in build_form(RUBRIC, group="board").domains[:3])
    assert len(board.notes["found after resuming"]) == on_first_three
    assert board.notes["found after resuming"] == saved_before
    assert board.notes["resumed start"].endswith(
        f"answered {on_first_three} of {len(asked('board'))} questions so far."
    )
    assert board.notes["resumed at"] == "page/4/"  # the first page with a question left
    assert all(values == [] for values in board.notes["page 4 checked on return"].values())  # never saved
    assert board.notes["after submit"] == "Your answers have been sent"


def test_on_a_phone_no_page_scrolls_sideways(journey):
    phone = journey.respondents["frontline-1"]
    widths = phone.notes["widths"]
    assert len(widths) == 2 + page_count("frontline") + 1
    wide = {name: w for name, w in widths.items() if w["scroll"] > w["page"] or w["page"] != PHONE["width"]}
    assert wide == {}
    assert phone.notes["after submit"] == "Your answers have been sent"


def test_the_keyboard_alone_answers_and_submits(journey):
    keyboard = journey.respondents["frontline-2"]
    assert sorted(keyboard.chosen) == sorted(asked("frontline"))
    assert keyboard.notes["after submit"] == "Your answers have been sent"


def visible_focus(style: dict[str, str]) -> tuple[str, str]:
    """What draws a focus indicator: the outline (none when it is transparent, as the NHS.UK frontend's is, kept
    for Windows' high-contrast mode) and the box shadow."""
    outline = style["outline"]
    if outline.startswith("none") or outline.endswith("rgba(0, 0, 0, 0)"):
        outline = "none"
    return outline, style["shadow"]


def test_the_focus_is_visible_on_radios_and_buttons(journey):
    """The focused radio's circle (the label's ::before: the NHS.UK frontend makes the input itself transparent, so
    its own outline would not show) and the focused button look different from the same elements without the focus:
    a visible outline or a shadow (the NHS.UK frontend's yellow ring and the button's dark bar)."""
    focus = journey.respondents["frontline-2"].notes["focus"]
    unfocused, focused, focused_id, first_id = focus["radio"]
    assert focused_id == first_id  # Tab entered the first question's group on its first radio
    assert visible_focus(focused["circle"]) != visible_focus(unfocused["circle"]), (unfocused, focused)
    unfocused, focused = focus["button"]
    assert visible_focus(focused["self"]) != visible_focus(unfocused["self"]), (unfocused, focused)


def test_a_page_with_errors_links_each_error_to_its_field(journey):
    errors = journey.respondents["frontline-3"].notes["errors"]
    first = build_form(RUBRIC, group="frontline").questions[0]  # 1.2 lead-role-models: 1.1 is the board's alone
    assert errors["title"].startswith("Error: ")
    assert errors["url"].endswith("/page/1/")  # the page again, not the next one: nothing saved
    message = f"Question {first.number}: choose an answer, to save what you wrote for it"
    assert errors["links"] == [(message, f"#{first.question.id}")]
    assert errors["focus after link"] == first.question.id


def test_sending_with_questions_left_links_each_page_to_its_first_question(journey):
    early = journey.respondents["patient-partners-1"].notes["sent too early"]
    form = build_form(RUBRIC, group="patient-partners")
    assert early["title"].startswith("Error: ")
    # One link a page, to its first question, on the page of that question
    assert [href.split("/", 3)[-1] for _, href in early["links"]] == [
        f"page/{n}/#{domain.questions[0].question.id}" for n, domain in enumerate(form.domains, start=1)
    ]
    assert early["links"][0][0].startswith(f"Page 1, {form.domains[0].domain.title}: answer question")
    assert early["link went to"] == ["1", f"#{form.domains[0].questions[0].question.id}"]


def test_after_submission_the_link_shows_only_the_thank_you_page(journey):
    thanks = "200 / Your answers have been sent / 0"  # status / heading / fields in the page's main part
    for rid, seen in journey.after_submission.items():
        assert seen == {"start": thanks, "page/1/": thanks, "review/": thanks}, rid


def test_an_invalid_link_gets_the_one_not_valid_page(journey):
    assert journey.invalid == {"status": 404, "h1": "This link is not valid"}


def test_the_login_error_summary_links_to_the_field(regulator):
    error = regulator.notes["login error"]
    assert error["title"].startswith("Error: Sign in")
    assert error["summary"] is not None and "Enter a correct username and password" in error["summary"]
    assert error["links"] == ["#id_username"]
    assert error["focus after link"] == "id_username"
    assert error["labels"] == [["id_username", "Username"], ["id_password", "Password"]]


def test_the_regulator_sees_the_closed_rounds_aggregates(regulator):
    notes = regulator.notes
    assert notes["sent to"] == "/login/?next=/cohorts/"
    assert notes["after sign in"] == "/cohorts/"
    text = notes["round text"]
    assert "Northfield 2026" in text
    assert "Responses\n5" in text or "Responses\t5" in text
    # Frontline staff: 3 respondents, shown; board and patient partners (1 each) are fewer than the rubric's
    # minimum group size of 3, so counted but not shown.
    assert "Frontline staff\t3\tYes" in text
    assert "Board\t1\tNo" in text and "Patient partners\t1\tNo" in text
    for html in (notes["round html"], notes["compare html"]):
        assert SECRET_COMMENT not in html


def test_the_regulator_is_refused_the_answers(regulator, made, closed):
    refused = regulator.notes["refused"]
    for path in ("/admin/rounds/answer/", "/admin/rounds/invitation/"):
        # the admin's sign-in page, saying this account may not see it: never the list
        assert refused[path]["statuses"] == [302, 200], path
        assert refused[path]["final"].startswith("/admin/login/?next="), path
        assert "not authorized to access this page" in refused[path]["text"], path
    assert refused[f"/cohorts/rounds/{made.other_round}/"]["statuses"] == [404]
    # The QI lead's round page, an invitation's page, the answers file, the result and the PDF report: the
    # organisation admin's alone, not found for a regulator (tests/web/access/rounds.py).
    lead_paths = [closed.paths[name] for name in ("round", "invitation", "answers", "result", "report")]
    assert {path: refused[path]["statuses"] for path in lead_paths} == {path: [404] for path in lead_paths}
    for path in lead_paths:
        assert "text" not in refused[path] or SECRET_COMMENT not in refused[path]["text"], path


PAGE_TYPES = {
    "login",
    "login with errors",
    "home",
    "respondent: invalid link",
    "respondent: start",
    "respondent: start, resuming",
    "respondent: page",
    "respondent: page with errors",
    "respondent: review",
    "respondent: review with errors",
    "respondent: thanks",
    "respondent: start (390 px)",
    "respondent: page (390 px)",
    "respondent: review (390 px)",
    "regulator: index",
    "regulator: round",
    "regulator: compare",
    "lead: rounds list",
    "lead: create, rubric",
    "lead: create, rubric with errors",
    "lead: create",
    "lead: create with errors",
    "lead: links",
    "lead: round (open)",
    "lead: invitation",
    "lead: upload with problems",
    "lead: close confirmation",
    "lead: round (closed)",
    "lead: audit log",
}


def test_axe_finds_no_serious_or_critical_violation_on_any_page_type(journey, closed, regulator, watch):
    assert set(watch.axe) == PAGE_TYPES
    serious = {
        kind: [f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}" for v in found]
        for kind, found in watch.axe.items()
        if any(v["impact"] in ("serious", "critical") for v in found)
    }
    every = {kind: [(v["id"], v["impact"], v["nodes"]) for v in found] for kind, found in watch.axe.items() if found}
    print("axe violations by page type:", json.dumps(every, indent=1))
    assert serious == {}, every


def test_no_console_error_and_no_csp_violation_on_any_page(journey, closed, regulator, watch):
    assert watch.unexpected_failures() == []
    assert watch.unexpected_console() == []
    assert watch.csp == []


def test_a_csp_violation_would_be_seen(site, browser, journey):
    """The watch itself: an inline script added to a page of the site is blocked, reported and logged."""
    own = Watch()
    context = own.context(browser)
    page = context.new_page()
    page.goto(journey.base + "/login/")
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = '1'; document.body.append(s); }")
    page.wait_for_timeout(200)
    context.close()
    assert [found["directive"] for _, found in own.csp] == ["script-src-elem"]
    assert any("Content Security Policy" in text for _, text in own.unexpected_console())
