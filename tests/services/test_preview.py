import time
from datetime import datetime, timedelta, timezone
from unittest import mock

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError

from tagmanager.services.containers import container_create
from tagmanager.services.preview import (
    SALT,
    PreviewRefused,
    preview_link_create,
    preview_permitted,
    preview_token_create,
    preview_token_verify,
    preview_url,
)
from tests.factories import TagFactory, user_with

pytestmark = pytest.mark.django_db

VIEW = ["tagmanager.view_container"]


@pytest.fixture
def shop():
    return container_create(name="Shop", key="shop", allowed_origins=["https://shop.example"])


@pytest.fixture
def other():
    return container_create(name="Other", key="other", allowed_origins=["https://other.example"])


@pytest.fixture
def marketer(shop):
    return user_with("marketer", perms=VIEW, containers=[shop])


def refused(token: str, key: str = "shop") -> PreviewRefused:
    with pytest.raises(PreviewRefused) as info:
        preview_token_verify(token=token, key=key)
    return info.value


def signed_at(seconds_ago: float, payload: dict) -> str:
    with mock.patch("django.core.signing.time.time", return_value=time.time() - seconds_ago):
        return signing.dumps(payload, salt=SALT)


def test_token_round_trip(shop, marketer):
    token = preview_token_create(container=shop, user=marketer)
    grant = preview_token_verify(token=token, key="shop")
    assert (grant.container, grant.user, grant.token) == (shop, marketer, token)
    expected = datetime.now(timezone.utc) + timedelta(hours=1)
    assert abs(grant.expires_at - expected) < timedelta(seconds=5)


def test_token_names_container_and_user_never_the_draft(shop, marketer):
    before = preview_token_create(container=shop, user=marketer)
    TagFactory.create_batch(5, container=shop, parameters={"url": "https://px.example/x" * 20})
    after = preview_token_create(container=shop, user=marketer)
    assert signing.loads(after, salt=SALT) == {"c": shop.pk, "u": marketer.pk}
    assert len(after) == len(before)


def test_expired_token_is_refused(shop, marketer):
    token = signed_at(3601, {"c": shop.pk, "u": marketer.pk})
    reason = refused(token)
    assert reason.status == 403 and "expired" in reason.reason
    assert preview_token_verify(token=signed_at(3500, {"c": shop.pk, "u": marketer.pk}), key="shop")


def test_lifetime_comes_from_the_setting(shop, marketer, settings):
    token = signed_at(120, {"c": shop.pk, "u": marketer.pk})
    assert preview_token_verify(token=token, key="shop")
    settings.TAGMANAGER = {"PREVIEW_MAX_AGE": 60}
    assert "expired" in refused(token).reason
    link = preview_link_create(container=shop, user=marketer, url="https://shop.example/")
    assert link.expires_at - datetime.now(timezone.utc) < timedelta(seconds=61)


@pytest.mark.parametrize("part", [0, 1, 2], ids=["payload", "timestamp", "signature"])
def test_tampered_token_is_refused(shop, marketer, part):
    parts = preview_token_create(container=shop, user=marketer).split(":")
    parts[part] = ("B" if parts[part][0] == "A" else "A") + parts[part][1:]
    reason = refused(":".join(parts))
    assert reason.status == 403 and "not valid" in reason.reason


def test_token_for_another_user_or_container_cannot_be_made_by_editing(shop, other, marketer):
    token = preview_token_create(container=shop, user=marketer)
    _, rest = token.split(":", 1)
    swapped = signing.b64_encode(f'{{"c":{other.pk},"u":{marketer.pk}}}'.encode()).decode()
    assert "not valid" in refused(f"{swapped}:{rest}", key="other").reason


def test_signature_of_another_salt_is_refused(shop, marketer):
    token = signing.dumps({"c": shop.pk, "u": marketer.pk})  # Django's default salt
    assert "not valid" in refused(token).reason


@pytest.mark.parametrize(
    "token", ["", "x", "a/b", "../../other", "é", "x" * 401, "a:b:c", "%3A%3A"]
)
def test_malformed_tokens_are_refused(shop, token):
    assert refused(token).status == 403


@pytest.mark.parametrize("payload", [[1, 2], {"c": "1", "u": 1}, {"c": 1}, "text", None])
def test_signed_but_not_a_preview_payload(shop, payload):
    token = signing.dumps(payload, salt=SALT)
    assert refused(token).reason == "this is not a preview link"


def test_token_of_another_container_is_refused(shop, other, marketer):
    other.members.add(marketer)
    token = preview_token_create(container=shop, user=marketer)
    reason = refused(token, key="other")
    assert reason.status == 404 and "another container" in reason.reason


def test_deleted_container(shop, marketer):
    token = preview_token_create(container=shop, user=marketer)
    shop.delete()
    assert refused(token).status == 404


@pytest.mark.parametrize(
    "change",
    [
        lambda user, shop: shop.members.remove(user),
        lambda user, shop: user.user_permissions.clear(),
        lambda user, shop: setattr(user, "is_active", False) or user.save(),
        lambda user, shop: setattr(user, "is_staff", False) or user.save(),
        lambda user, shop: user.delete(),
    ],
    ids=["no longer a member", "permission taken", "deactivated", "not staff", "deleted"],
)
def test_user_who_may_no_longer_preview(shop, marketer, change):
    token = preview_token_create(container=shop, user=marketer)
    change(marketer, shop)
    reason = refused(token)
    assert reason.status == 403 and "may no longer preview" in reason.reason


def test_who_may_preview(shop, other):
    viewer = user_with("viewer", perms=VIEW, containers=[shop])
    changer = user_with("changer", perms=["tagmanager.change_container"], containers=[shop])
    member_only = user_with("member", perms=["tagmanager.view_tag"], containers=[shop])
    outsider = user_with("outsider", perms=VIEW, containers=[other])
    root = user_with("root", superuser=True)
    assert preview_permitted(user=viewer, container=shop)
    assert preview_permitted(user=changer, container=shop)
    assert preview_permitted(user=root, container=shop)
    assert not preview_permitted(user=member_only, container=shop)
    assert not preview_permitted(user=outsider, container=shop)
    assert not preview_permitted(user=None, container=shop)
    for user in (member_only, outsider):
        with pytest.raises(PermissionDenied):
            preview_token_create(container=shop, user=user)


def test_link_opens_the_page_with_the_token(shop, marketer):
    link = preview_link_create(
        container=shop, user=marketer, url=" https://shop.example/cart?a=1&tm_preview=old#top "
    )
    quoted = link.token.replace(":", "%3A")
    assert link.url == f"https://shop.example/cart?a=1&tm_preview={quoted}#top"
    assert preview_token_verify(token=link.token, key="shop").user == marketer


def test_link_with_explicit_default_port(shop, marketer):
    link = preview_link_create(container=shop, user=marketer, url="https://shop.example:443/")
    assert link.url.startswith("https://shop.example:443/?tm_preview=")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://evil.example/", "not one of this container's allowed origins"),
        ("http://shop.example/", "not one of this container's allowed origins"),
        ("https://shop.example:8443/", "not one of this container's allowed origins"),
        ("javascript:alert(1)", "full http:// or https:// URL"),
        ("shop.example/page", "full http:// or https:// URL"),
        ("https://shop.example:99999/", "valid URL"),
        ("", "full http:// or https:// URL"),
    ],
)
def test_link_only_for_pages_of_allowed_origins(shop, marketer, url, message):
    with pytest.raises(ValidationError) as info:
        preview_link_create(container=shop, user=marketer, url=url)
    assert message in " ".join(info.value.messages)


def test_container_without_origins_says_so(marketer, shop):
    shop.allowed_origins = []
    shop.save()
    with pytest.raises(ValidationError, match="none yet"):
        preview_link_create(container=shop, user=marketer, url="https://shop.example/")


def test_preview_url_keeps_other_parameters():
    assert preview_url("https://a.example/p?x=1&y=", "t:1") == (
        "https://a.example/p?x=1&y=&tm_preview=t%3A1"
    )
