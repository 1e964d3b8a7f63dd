"""Pages that belong to no one app: the start page, which sends each role where its work is; and what every app's
pages share."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from qimaturity.web.organisations.scoping import administered_organisations, analysed_organisations


def no_store(response: HttpResponse) -> HttpResponse:
    """``response`` kept out of every cache (``Cache-Control: no-store``): a page or download with answers or a
    result."""
    response["Cache-Control"] = "no-store"
    return response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "home.jinja",
        {
            "administered": administered_organisations(request.user),
            "analysed": analysed_organisations(request.user),
        },
    )
