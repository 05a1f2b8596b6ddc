"""The preview endpoint and the two builds of the runtime."""

import json
import re
import time
from unittest import mock

import pytest
from django.core import signing
from django.core.cache import cache

from tagmanager.loader.build import loader_source, runtime_file
from tagmanager.loader.preview import preview_source
from tagmanager.services.demo import demo_container_ensure
from tagmanager.services.preview import SALT, preview_link_create
from tagmanager.services.publishing import container_publish
from tests.factories import TagFactory, user_with

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def demo(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        container = demo_container_ensure()
        container_publish(container=container)
    return container


@pytest.fixture
def marketer(demo):
    return user_with("marketer", perms=["tagmanager.view_container"], containers=[demo])


@pytest.fixture
def token(demo, marketer):
    return preview_link_create(container=demo, user=marketer, url=demo.allowed_origins[0]).token


def embedded_config(body: str) -> dict:
    literal = re.search(r'\(window,document,("(?:[^"\\]|\\.)*"),', body).group(1)
    return json.loads(json.loads(literal))


def draft_tag(demo):
    analytics = demo.categories.get(slug="analytics")
    tag = TagFactory(
        container=demo,
        name="Only in the draft",
        parameters={"url": "https://px.example.net/draft-only.gif"},
        categories=[analytics],
        firing_triggers=[demo.triggers.get(trigger_type="page_view")],
    )
    return tag


def test_valid_link_gets_the_draft_never_cached(client, demo, token):
    tag = draft_tag(demo)
    response = client.get(f"/tm/preview/demo/{token}.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    config = embedded_config(response.content.decode())
    assert tag.pk in [t["id"] for t in config["tags"]]
    assert config["tags"][0]["params"]  # served as publishing would serve it: no names inline
    debug = config["debug"]
    assert debug["tags"][str(tag.pk)] == "Only in the draft"
    assert debug["container"] == demo.name and debug["token"] == token
    assert debug["live"] == demo.live_version.number and debug["changed"] is True
    assert debug["problems"] == [] and "page_url" in debug["builtins"]
    assert abs(debug["expires"] / 1000 - (time.time() + 3600)) < 60
    # Decisions in a preview go to a cookie of their own.
    assert config["consent"]["cookie"] == "tm_consent_preview"
    # Only the preview carries the panel.
    assert b"function tmDebug" in response.content and b"debugCss" in response.content


def test_each_load_reads_the_draft_as_it_is_now(client, demo, token):
    first = client.get(f"/tm/preview/demo/{token}.js").content
    tag = draft_tag(demo)
    second = embedded_config(client.get(f"/tm/preview/demo/{token}.js").content.decode())
    assert tag.pk not in [t["id"] for t in embedded_config(first.decode())["tags"]]
    assert tag.pk in [t["id"] for t in second["tags"]]


def test_draft_with_problems_still_previews_and_lists_them(client, demo, token):
    TagFactory(container=demo, name="Homeless")  # no category, no trigger
    config = embedded_config(client.get(f"/tm/preview/demo/{token}.js").content.decode())
    assert "Tag 'Homeless': has no consent category." in config["debug"]["problems"]


def test_unpublished_container_can_be_previewed(client, marketer):
    from tagmanager.services.containers import container_create

    new = container_create(name="New", key="new", allowed_origins=["https://new.example"])
    new.members.add(marketer)
    token = preview_link_create(container=new, user=marketer, url="https://new.example/").token
    response = client.get(f"/tm/preview/new/{token}.js")
    assert response.status_code == 200
    assert embedded_config(response.content.decode())["debug"]["live"] is None


@pytest.mark.parametrize(
    ("make", "status", "reason"),
    [
        (lambda t: t[:-2] + "xx", 403, "not valid"),
        (lambda t: "nonsense", 403, "not valid"),
        (lambda t: "%00%3Cscript%3E", 403, "not a preview link"),
        (lambda t: "A" * 5000, 403, "not a preview link"),
    ],
)
def test_refused_tokens_get_a_clear_js_comment(client, demo, token, make, status, reason):
    response = client.get(f"/tm/preview/demo/{make(token)}.js")
    assert response.status_code == status
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"].startswith("application/javascript")
    body = response.content.decode()
    assert body.startswith("/* tagmanager: ") and body.endswith(" */\n") and reason in body
    assert "tmDebug" not in body


def test_expired_token(client, demo, marketer):
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 7200):
        old = signing.dumps({"c": demo.pk, "u": marketer.pk}, salt=SALT)
    response = client.get(f"/tm/preview/demo/{old}.js")
    assert response.status_code == 403 and b"expired" in response.content


def test_token_used_with_another_containers_key(client, demo, token):
    from tagmanager.services.containers import container_create

    container_create(name="Other", key="other")
    response = client.get(f"/tm/preview/other/{token}.js")
    assert response.status_code == 404 and b"another container" in response.content
    assert client.get(f"/tm/preview/nope/{token}.js").status_code == 404


def test_user_removed_from_the_container(client, demo, marketer, token):
    demo.members.remove(marketer)
    response = client.get(f"/tm/preview/demo/{token}.js")
    assert response.status_code == 403 and b"may no longer preview" in response.content


def test_only_get(client, token):
    assert client.post(f"/tm/preview/demo/{token}.js").status_code == 405


def test_loader_is_byte_identical_with_or_without_preview_links(client, demo, marketer):
    before = client.get("/tm/demo.js")
    for _ in range(3):
        token = preview_link_create(
            container=demo, user=marketer, url=demo.allowed_origins[0]
        ).token
        assert client.get(f"/tm/preview/demo/{token}.js").status_code == 200
    draft_tag(demo)
    client.cookies["tm_preview"] = token
    cached = client.get("/tm/demo.js", QUERY_STRING=f"tm_preview={token}")
    cache.clear()
    rebuilt = client.get("/tm/demo.js")
    assert before.content == cached.content == rebuilt.content
    assert before["ETag"] == cached["ETag"] == rebuilt["ETag"]
    assert before["Cache-Control"] == rebuilt["Cache-Control"]
    assert b"tmDebug" not in before.content and b".panel." not in before.content


# --- the two builds ---------------------------------------------------------------------------


def test_live_build_has_the_switch_and_no_instrumentation():
    live, preview = runtime_file("core.js"), runtime_file("core-preview.js")
    assert "preview/" in live and "tmDebug" not in live and ".panel." not in live
    assert "preview/" not in preview and "tmDebug(" in preview and ".panel.tag(" in preview


def test_loader_and_preview_carry_their_own_core():
    assert ".panel." not in loader_source({})
    assert ".panel.tag(" in preview_source({}, minify=False)
    assert preview_source({}, minify=False).startswith("(function (debugCss) {\n")
