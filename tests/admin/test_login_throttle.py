"""The admin's sign-in is throttled per username and client: after LOGIN_FAILURE_LIMIT failures
the pair is refused (429, Retry-After, a message on the form), the right password included;
other usernames and other networks sign in as usual."""

import time

import pytest
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.test import Client

from tagmanager.admin.login import ThrottledLoginForm, throttle_login
from tests.factories import user_with

pytestmark = pytest.mark.django_db
LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def whole_hour():
    left = 3600 - time.time() % 3600
    if left < 5:
        time.sleep(left + 0.05)


@pytest.fixture
def limit(settings):
    settings.TAGMANAGER = {**settings.TAGMANAGER, "LOGIN_FAILURE_LIMIT": "3/hour"}


def sign_in(username, password, ip="203.0.113.5"):
    client = Client(REMOTE_ADDR=ip)
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"})


def test_failures_over_the_limit_lock_the_username_from_that_network(limit):
    user_with("alice", password="right")
    assert [sign_in("alice", "wrong").status_code for _ in range(3)] == [200, 200, 200]
    refused = sign_in("alice", "right")  # the right password, once locked
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    text = refused.content.decode()
    assert "Too many failed sign-ins for this username from your network" in text
    assert "_auth_user_id" not in refused.wsgi_request.session
    assert sign_in("ALICE ", "right", ip="203.0.113.99").status_code == 429  # same pair
    # Another network, or another user from this one: as usual.
    assert sign_in("alice", "right", ip="198.51.100.5").status_code == 302
    user_with("bob", password="pw")
    assert sign_in("bob", "pw").status_code == 302


def test_failures_under_the_limit_do_not_lock(limit):
    user_with("alice", password="right")
    assert [sign_in("alice", "wrong").status_code for _ in range(2)] == [200, 200]
    assert sign_in("alice", "right").status_code == 302


def test_the_default_limit_allows_a_few_typos(settings):
    user_with("alice", password="right")
    assert [sign_in("alice", "wrong").status_code for _ in range(4)] == [200] * 4
    assert sign_in("alice", "right").status_code == 302


def test_the_admin_site_uses_the_throttled_form():
    assert admin.site.login_form is ThrottledLoginForm
    assert admin.site.login.tagmanager_throttled


def test_a_site_of_your_own_can_be_throttled_once():
    site = AdminSite(name="mine")
    throttle_login(site)
    wrapped = site.login
    throttle_login(site)
    assert site.login is wrapped and site.login_form is ThrottledLoginForm
