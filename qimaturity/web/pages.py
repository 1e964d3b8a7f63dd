"""Pages that belong to no one app: the start page, which sends each role where its work is."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from qimaturity.web.organisations.scoping import administered_organisations, analysed_organisations


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
