"""The web application's frame: settings that pass Django's deployment checks, HTTPS only, pages in the NHS.UK
frame, one scoping function per role, and invitation tokens that are long, random and kept only as hashes."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import checks
from django.test import Client

from qimaturity.web.organisations.models import Membership, Organisation, Workspace
from qimaturity.web.organisations.scoping import administered_organisations, analysed_organisations
from qimaturity.web.rounds.tokens import new_token, same_hash, token_hash

pytestmark = pytest.mark.django_db


def test_every_deployment_check_passes_in_the_served_configuration() -> None:
    found = checks.run_checks(include_deployment_checks=True)
    serious = [message for message in found if message.level >= checks.WARNING and not message.is_silenced()]
    assert serious == []


def test_a_plain_http_request_is_sent_to_https() -> None:
    response = Client().get("/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/login/"


def test_the_sign_in_page_is_in_the_nhs_frame_with_a_strict_content_security_policy() -> None:
    response = Client().get("/login/", secure=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="nhsuk-header' in page and 'href="#maincontent"' in page
    assert '<script type="module" src="/static/qimaturity/site.js">' in page
    assert "<script>" not in page  # no inline script: the policy would block it
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_styles_and_scripts_are_served_from_the_package_and_nhsuk_frontend() -> None:
    client = Client()
    styles = client.get("/static/site/site.css", secure=True)
    assert styles.status_code == 200 and styles["Content-Type"].startswith("text/css")
    sheet = b"".join(styles.streaming_content if styles.streaming else [styles.content])
    assert b".nhsuk-header" in sheet  # the NHS.UK frontend, compiled
    assert b"@font-face" not in sheet and b"assets.nhs.uk" not in sheet  # nothing the policy would block
    script = client.get("/static/qimaturity/site.js", secure=True)
    assert script.status_code == 200 and script["Content-Type"].startswith("text/javascript")
    assert client.get("/static/nhsuk/nhsuk-frontend.min.js", secure=True).status_code == 200  # what site.js imports


def test_the_start_page_asks_for_a_sign_in() -> None:
    response = Client().get("/", secure=True)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_each_role_sees_only_the_organisations_of_its_memberships() -> None:
    users = get_user_model().objects
    north = Workspace.objects.create(slug="north", name="North region", kind=Workspace.Kind.REGULATOR)
    riverside = Organisation.objects.create(code="riverside", name="Riverside")
    hillside = Organisation.objects.create(code="hillside", name="Hillside")
    lakeside = Organisation.objects.create(code="lakeside", name="Lakeside")
    north.organisations.add(riverside, hillside)
    lead = users.create_user("lead")
    Membership.objects.create(user=lead, role=Membership.Role.ADMIN, organisation=riverside)
    regulator = users.create_user("regulator")
    Membership.objects.create(user=regulator, role=Membership.Role.ANALYST, workspace=north)

    assert list(administered_organisations(lead)) == [riverside]
    assert list(analysed_organisations(lead)) == []
    assert list(administered_organisations(regulator)) == []
    assert list(analysed_organisations(regulator)) == [hillside, riverside]  # by name; lakeside is in no workspace
    assert lakeside not in analysed_organisations(regulator)
    nobody = users.create_user("nobody")
    assert not administered_organisations(nobody).exists() and not analysed_organisations(nobody).exists()


def test_invitation_tokens_carry_256_random_bits_and_are_kept_as_their_hash() -> None:
    tokens = {new_token()[0] for _ in range(200)}
    assert len(tokens) == 200
    token, stored = new_token()
    assert len(token) == 43  # 32 bytes in URL-safe base64, unpadded
    assert stored == token_hash(token) and token not in stored and len(stored) == 64
    assert same_hash(token, stored)
    assert not same_hash(token[:-1] + ("A" if token[-1] != "A" else "B"), stored)


def test_pages_not_found_or_refused_are_in_the_sites_frame_and_the_site_admin_is_pointed_to_the_admin() -> None:
    client = Client()
    missing = client.get("/no-such-page/", secure=True)
    assert missing.status_code == 404
    assert "Page not found" in missing.content.decode() and 'class="nhsuk-header' in missing.content.decode()
    user = get_user_model().objects.create_superuser("site_admin")
    client.force_login(user)
    start = client.get("/", secure=True).content.decode()
    assert 'href="/admin/"' in start and "no role in any workspace" not in start
    refused = client.get("/cohorts/", secure=True)  # a site admin is no analyst
    assert refused.status_code == 403
    assert "You cannot see this page" in refused.content.decode() and 'class="nhsuk-header' in refused.content.decode()
