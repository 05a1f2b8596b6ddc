"""Throttling of the management API: per user, and per client for requests without valid
credentials (guessed tokens included); 429 with Retry-After, documented in the schema."""

import time

import pytest
from rest_framework.test import APIClient

from tagmanager.api.schema import api_schema
from tests.api.conftest import VIEW, client_for
from tests.factories import user_with

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def whole_hour():
    left = 3600 - time.time() % 3600
    if left < 5:
        time.sleep(left + 0.05)


@pytest.fixture
def throttles(settings):
    settings.TAGMANAGER = {
        **settings.TAGMANAGER,
        "API_THROTTLE_USER": "3/hour",
        "API_THROTTLE_ANON": "2/hour",
    }


def test_a_user_over_the_rate_gets_429_with_retry_after(shop, throttles):
    client = client_for(user_with("script", perms=VIEW, containers=[shop]))
    assert [client.get("/tm/api/containers/").status_code for _ in range(3)] == [200] * 3
    refused = client.get("/tm/api/tags/")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "throttled" in refused.json()["detail"].lower()
    other = client_for(user_with("other", perms=VIEW, containers=[shop]))
    assert other.get("/tm/api/containers/").status_code == 200


def test_guessing_tokens_is_throttled_per_client(shop, throttles):
    guesser = APIClient(REMOTE_ADDR="203.0.113.5")
    statuses = []
    for n in range(4):
        guesser.credentials(HTTP_AUTHORIZATION=f"Token guess{n}")
        statuses.append(guesser.get("/tm/api/tags/").status_code)
    assert statuses == [401, 401, 429, 429]
    assert int(guesser.get("/tm/api/tags/")["Retry-After"]) > 0
    # Without credentials at all: the same client, the same count.
    assert APIClient(REMOTE_ADDR="203.0.113.77").get("/tm/api/tags/").status_code == 429
    assert APIClient(REMOTE_ADDR="198.51.100.5").get("/tm/api/tags/").status_code == 401
    # A valid token from that network is counted per user, not per client.
    user = client_for(user_with("script", perms=VIEW, containers=[shop]))
    assert user.get("/tm/api/tags/", REMOTE_ADDR="203.0.113.5").status_code == 200


def test_the_schema_view_is_throttled_too(shop, throttles):
    client = APIClient(REMOTE_ADDR="203.0.113.5")
    statuses = [client.get("/tm/api/schema/?format=json").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_the_default_rates_let_a_script_work(shop):
    client = client_for(user_with("script", perms=VIEW, containers=[shop]))
    assert {client.get("/tm/api/tags/").status_code for _ in range(60)} == {200}


def test_schema_documents_429_and_retry_after():
    operation = api_schema()["paths"]["/tm/api/containers/"]["get"]
    answer = operation["responses"]["429"]
    assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert answer["headers"]["Retry-After"]["schema"]["type"] == "integer"
