import uuid

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tagmanager.payloads import consent_parse
from tagmanager.services.consent import consent_record_create
from tagmanager.services.containers import container_create
from tagmanager.services.demo import demo_container_ensure
from tagmanager.services.publishing import container_publish
from tests.factories import (
    FireEventFactory,
    TagFactory,
    TriggerFactory,
    VariableFactory,
    user_with,
)
from tests.helpers import consent_proof

# What the roles of the admin hold, as the API's users.
VIEW = [
    f"tagmanager.view_{m}"
    for m in (
        "container",
        "consentcategory",
        "tag",
        "trigger",
        "variable",
        "containerversion",
        "consentrecord",
        "fireevent",
    )
]
EDITOR = VIEW + [
    f"tagmanager.{action}_{m}"
    for action in ("add", "change", "delete")
    for m in ("consentcategory", "tag", "trigger", "variable")
]
PUBLISHER = EDITOR + ["tagmanager.publish_container"]
CODE = ["tagmanager.change_code_tags"]


def client_for(user) -> APIClient:
    """A client sending the user's token, as an integrator's script would."""
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def decide(container, *, previous=None, action="accept_all", categories=None):
    """A decision of the browser that made ``previous`` (a consent id; the link is proven)."""
    consent_id = str(uuid.uuid4())
    data = consent_parse(
        {
            "consent_id": consent_id,
            "previous_consent_id": previous,
            **consent_proof(consent_id, previous),
            "categories": categories or {"analytics": True, "marketing": False},
            "action": action,
            "source": "banner",
        }
    )
    return consent_record_create(
        container=container, data=data, ip="203.0.113.9", user_agent="pytest"
    )


@pytest.fixture
def shop(db):
    """The demo container (four categories, two triggers, four tags, published as v1)."""
    return demo_container_ensure()


@pytest.fixture
def other(db):
    """Somebody else's published container, with its own definitions and logs."""
    container = container_create(name="Other", key="other", allowed_origins=["https://o.example"])
    trigger = TriggerFactory(container=container, name="Their trigger")
    TagFactory(
        container=container,
        name="Their tag",
        categories=[container.categories.get(slug="marketing")],
        firing_triggers=[trigger],
    )
    VariableFactory(container=container, name="their_var")
    container_publish(container=container)
    decide(container)
    FireEventFactory(container=container, event_name="purchase")
    return container


@pytest.fixture
def viewer(shop):
    return user_with("viewer", perms=VIEW, containers=[shop])


@pytest.fixture
def editor(shop):
    return user_with("editor", perms=EDITOR, containers=[shop])


@pytest.fixture
def publisher(shop):
    return user_with("publisher", perms=PUBLISHER, containers=[shop])


@pytest.fixture
def coder(shop):
    return user_with("coder", perms=EDITOR + CODE, containers=[shop])


@pytest.fixture
def api(editor):
    return client_for(editor)
