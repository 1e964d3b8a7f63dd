"""Signing in: passwords hashed with Argon2 and held to the validators, repeated failures locked out (django-axes),
a new session at sign-in, sign-out by POST alone."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple-42"


def _sign_in(client: Client, password: str, address: str = "192.0.2.10") -> int:
    response = client.post("/login/", {"username": "lead", "password": password}, secure=True, REMOTE_ADDR=address)
    return response.status_code


def test_passwords_are_hashed_with_argon2_and_weak_ones_refused() -> None:
    user = get_user_model().objects.create_user("riverside-qi-lead", password=PASSWORD)
    assert user.password.startswith("argon2$")
    # common, all digits, under 12 characters, the username again
    for weak in ("password1234", "12345678901234", "short-1", "riverside-qi-lead!"):
        with pytest.raises(ValidationError):
            validate_password(weak, user)
    validate_password(PASSWORD, user)  # long, not common, not numeric, not like the username


def test_five_failed_sign_ins_lock_the_address_and_user_out_even_with_the_right_password() -> None:
    get_user_model().objects.create_user("lead", password=PASSWORD)
    client = Client()
    assert [_sign_in(client, "wrong-password-guess") for _ in range(4)] == [200] * 4  # the form again, with its error
    assert _sign_in(client, "wrong-password-guess") == 429  # the fifth failure locks out
    assert _sign_in(client, PASSWORD) == 429  # and the right password no longer helps from there
    assert _sign_in(Client(), PASSWORD, address="192.0.2.99") == 302  # another address is not locked out


def test_signing_in_gives_a_new_session_and_signing_out_needs_a_post() -> None:
    get_user_model().objects.create_user("lead", password=PASSWORD)
    client = Client()
    client.get("/login/", secure=True)
    before = client.cookies.get("sessionid")
    assert _sign_in(client, PASSWORD) == 302
    after = client.cookies["sessionid"].value
    assert before is None or before.value != after
    assert client.get("/logout/", secure=True).status_code == 405  # a link cannot sign anyone out
    assert client.post("/logout/", secure=True).status_code == 302
    assert client.get("/", secure=True).status_code == 302  # signed out: back to the sign-in page
