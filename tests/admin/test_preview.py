"""The container's Preview page in the admin."""

import pytest
from django.urls import reverse

from tagmanager.services.preview import preview_token_verify
from tests.admin.conftest import login
from tests.factories import TagFactory, user_with

pytestmark = pytest.mark.django_db


def url(container) -> str:
    return reverse("admin:tagmanager_container_preview", args=[container.pk])


def test_page_offers_the_allowed_origins(as_editor, shop):
    response = as_editor.get(url(shop))
    assert response.status_code == 200
    body = response.content.decode()
    assert '<option value="https://shop.example/">' in body
    assert 'value="https://shop.example/"' in body  # the first origin, filled in
    assert "valid for 60 minutes" in body
    assert "Your preview link" not in body


def test_every_role_may_create_a_link(as_editor, editor, shop, settings):
    settings.TAGMANAGER = {"PREVIEW_MAX_AGE": 600}
    response = as_editor.post(url(shop), {"url": "https://shop.example/cart?x=1"})
    assert response.status_code == 200
    link = response.context["link"]
    assert link.url.startswith("https://shop.example/cart?x=1&tm_preview=")
    assert link.url in response.content.decode().replace("&amp;", "&")
    assert preview_token_verify(token=link.token, key="shop").user == editor
    assert "valid for 10 minutes" in response.content.decode()


def test_url_outside_the_allowed_origins_is_a_form_error(as_editor, shop):
    response = as_editor.post(url(shop), {"url": "https://evil.example/"})
    assert response.status_code == 400
    assert "is not one of this container&#x27;s allowed origins" in response.content.decode()
    assert response.context["link"] is None


@pytest.mark.parametrize("value", ["", "not a url", "https://shop.example:99999/", "x" * 3000])
def test_bad_input_is_a_form_error_never_a_500(as_editor, shop, value):
    response = as_editor.post(url(shop), {"url": value})
    assert response.status_code == 400
    assert response.context["form"].errors["url"]


def test_draft_problems_are_listed(as_editor, shop):
    TagFactory(container=shop, name="Homeless")
    response = as_editor.get(url(shop))
    assert "Tag &#x27;Homeless&#x27;: has no consent category." in response.content.decode()


def test_member_of_another_container_cannot_open_it(shop, blog):
    outsider = user_with("outsider", perms=["tagmanager.view_container"], containers=[blog])
    client = login(outsider)
    assert client.get(url(shop)).status_code == 404
    assert client.post(url(shop), {"url": "https://shop.example/"}).status_code == 404


def test_member_without_view_permission_is_refused(shop):
    member = user_with("member", perms=["tagmanager.view_tag"], containers=[shop])
    assert login(member).get(url(shop)).status_code == 403


def test_signed_out_goes_to_the_login(client, shop):
    response = client.get(url(shop))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_superuser_without_membership(admin_client, shop):
    response = admin_client.post(url(shop), {"url": "https://shop.example/"})
    assert response.status_code == 200 and response.context["link"]
