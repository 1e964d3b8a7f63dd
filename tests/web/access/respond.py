"""The respondent's pages (``respond:*``): the token in the link is the only credential, so every role holding a
link gets the same answer, and a link that does not work is the same 404 for every role."""

from __future__ import annotations

from tests.web.access.cases import Case
from tests.web.world import ROLES, World


def _every(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def _forged(world: World) -> str:
    """Round A's token with its last character changed: a link that looks right and is not."""
    token = world.tokens["A"]
    return token[:-1] + ("A" if token[-1] != "A" else "B")


CASES = [
    # Round A is open: its link's pages answer whoever holds it.
    Case("respond:start", lambda w: {"token": w.tokens["A"]}, _every(200)),
    Case("respond:page", lambda w: {"token": w.tokens["A"], "number": 1}, _every(200)),
    Case("respond:page", lambda w: {"token": w.tokens["A"], "number": 1}, _every(302), method="POST"),
    Case("respond:page", lambda w: {"token": w.tokens["A"], "number": 99}, _every(404)),
    Case("respond:review", lambda w: {"token": w.tokens["A"]}, _every(200)),
    # submitting with questions unanswered is refused on the page (200 with the error summary)
    Case("respond:review", lambda w: {"token": w.tokens["A"]}, _every(200), method="POST"),
    Case("respond:start", lambda w: {"token": w.tokens["B"]}, _every(200)),
    # Round C is closed and its invitation submitted: the thank-you page only.
    Case("respond:start", lambda w: {"token": w.tokens["C"]}, _every(200)),
    Case("respond:page", lambda w: {"token": w.tokens["C"], "number": 1}, _every(200)),
    # A forged or unknown token: the one "not valid" page.
    Case("respond:start", lambda w: {"token": _forged(w)}, _every(404)),
    Case("respond:page", lambda w: {"token": _forged(w), "number": 1}, _every(404)),
    Case("respond:review", lambda w: {"token": _forged(w)}, _every(404), method="POST"),
]
