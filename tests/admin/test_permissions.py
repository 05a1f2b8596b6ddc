"""Permission boundaries in the admin: code tags, publishing, and container membership."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tagmanager.models import ConsentRecord, DeadLetter, FireEventDaily, Tag
from tagmanager.services.publishing import container_publish
from tagmanager.services.tags import tag_save, trigger_save
from tests.admin.conftest import EDITOR, category, login
from tests.factories import ConsentCategoryFactory, FireEventFactory, user_with

pytestmark = pytest.mark.django_db


def tag_add(container, tag_type):
    return f"{reverse('admin:tagmanager_tag_add')}?container={container.pk}&tag_type={tag_type}"


def html_post(shop, trigger, **extra) -> dict:
    return {
        "container": shop.pk,
        "name": "Chat",
        "tag_type": "custom_html",
        "param_html": "<script>steal()</script>",
        "categories": [category(shop, "preferences").pk],
        "firing_triggers": [trigger.pk],
        "fire_limit": "unlimited",
        "priority": "0",
        "enabled": "on",
        **extra,
    }


# --- tags that run code ---------------------------------------------------------------------


def test_editor_is_not_offered_code_types(as_editor, shop):
    response = as_editor.get(reverse("admin:tagmanager_tag_add"))
    types = dict(response.context["form"].fields["tag_type"].choices)
    assert "image" in types
    assert "custom_html" not in types and "script" not in types


def test_editor_asking_for_a_code_type_goes_back_to_the_first_step(as_editor, shop):
    response = as_editor.get(tag_add(shop, "custom_html"))
    assert response.templates[0].name == "tagmanager/admin/add_start.html"
    assert b'name="param_html"' not in response.content


def test_editor_cannot_add_a_code_tag_with_a_crafted_post(as_editor, shop, all_pages):
    response = as_editor.post(tag_add(shop, "image"), html_post(shop, all_pages))
    assert response.status_code == 200
    assert "tag_type" in response.context["adminform"].form.errors
    assert not Tag.objects.exists()


def test_editor_cannot_turn_a_tag_into_a_code_tag(as_editor, shop, meta, all_pages):
    url = reverse("admin:tagmanager_tag_change", args=[meta.pk])
    response = as_editor.post(url, html_post(shop, all_pages, name="Meta"))
    assert "tag_type" in response.context["adminform"].form.errors
    meta.refresh_from_db()
    assert meta.tag_type == "meta_pixel"


def test_editor_sees_a_code_tag_read_only(as_editor, custom_html):
    url = reverse("admin:tagmanager_tag_change", args=[custom_html.pk])
    response = as_editor.get(url)
    assert response.status_code == 200
    assert b'name="_save"' not in response.content
    assert b"&lt;div&gt;chat&lt;/div&gt;" in response.content  # the parameters, as text
    assert response.context["tag_summary"].startswith("This tag fires on All pages")


def test_editor_cannot_change_a_code_tag_with_a_crafted_post(as_editor, shop, custom_html):
    url = reverse("admin:tagmanager_tag_change", args=[custom_html.pk])
    trigger = custom_html.firing_triggers.get()
    response = as_editor.post(url, html_post(shop, trigger, name="Chat widget"))
    assert response.status_code == 403
    response = as_editor.post(
        url, {**html_post(shop, trigger), "tag_type": "image", "param_url": "https://x.example/"}
    )
    assert response.status_code == 403
    custom_html.refresh_from_db()
    assert custom_html.parameters == {"html": "<div>chat</div>"}


def test_editor_cannot_delete_a_code_tag(as_editor, custom_html, meta):
    url = reverse("admin:tagmanager_tag_delete", args=[custom_html.pk])
    assert as_editor.post(url, {"post": "yes"}).status_code == 403
    response = as_editor.post(
        reverse("admin:tagmanager_tag_changelist"),
        {"action": "delete_selected", "_selected_action": [custom_html.pk, meta.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert Tag.objects.count() == 2


def test_developer_can_add_and_change_a_code_tag(as_developer, shop, all_pages):
    response = as_developer.post(tag_add(shop, "custom_html"), html_post(shop, all_pages))
    assert response.status_code == 302, response.context["adminform"].form.errors
    tag = Tag.objects.get(name="Chat")
    assert tag.parameters == {"html": "<script>steal()</script>"}
    url = reverse("admin:tagmanager_tag_change", args=[tag.pk])
    response = as_developer.post(url, html_post(shop, all_pages, param_html="<p>hi</p>"))
    assert response.status_code == 302
    tag.refresh_from_db()
    assert tag.parameters == {"html": "<p>hi</p>"}


def test_script_tag_async_box(as_developer, shop, all_pages):
    data = html_post(shop, all_pages, tag_type="script", param_src="https://cdn.example.net/a.js")
    del data["param_html"]
    response = as_developer.post(tag_add(shop, "script"), data)  # box left unticked
    assert response.status_code == 302
    assert Tag.objects.get().parameters == {"src": "https://cdn.example.net/a.js", "async": False}


# --- publishing ----------------------------------------------------------------------------


def test_editor_gets_no_publish_controls_and_403_on_post(as_editor, shop, meta):
    change = as_editor.get(reverse("admin:tagmanager_container_change", args=[shop.pk]))
    assert change.status_code == 200
    links = {p["label"] for p in change.context["container_pages"]}
    assert "Publish" not in links and "Review changes" in links

    url = reverse("admin:tagmanager_container_publish", args=[shop.pk])
    page = as_editor.get(url)
    assert page.status_code == 200
    assert b'name="_publish"' not in page.content
    assert b"Meta" in page.content  # the editor may review the changes

    assert as_editor.post(url, {"notes": "go"}).status_code == 403
    shop.refresh_from_db()
    assert shop.live_version is None


def test_editor_cannot_roll_back(as_editor, shop, meta):
    first = container_publish(container=shop)
    meta.name = "Meta 2"
    meta.save()
    container_publish(container=shop)
    url = reverse("admin:tagmanager_container_rollback", args=[shop.pk, first.number])
    versions = as_editor.get(reverse("admin:tagmanager_container_versions", args=[shop.pk]))
    assert versions.status_code == 200
    assert b"Roll back to this version" not in versions.content
    assert as_editor.get(url).status_code == 403
    assert as_editor.post(url, {"notes": "x"}).status_code == 403
    assert shop.versions.count() == 2


# --- membership ----------------------------------------------------------------------------


@pytest.fixture
def blog_things(blog):
    trigger = trigger_save(container=blog, name="Blog pages", trigger_type="page_view")
    tag = tag_save(
        container=blog,
        name="Blog secret pixel",
        tag_type="image",
        parameters={"url": "https://px.example.net/blog.gif"},
        categories=[category(blog, "analytics")],
        firing_triggers=[trigger],
    )
    version = container_publish(container=blog, notes="blog launch")
    notice = _notice(blog)
    record = ConsentRecord.objects.create(
        container=blog,
        revision=1,
        notice=notice,
        categories={"analytics": True},
        action="accept_all",
        source="banner",
        expires_at=timezone.now() + timedelta(days=180),
    )
    event = FireEventFactory(container=blog, event_id="blog-evt-1", event_name="blog_only_evt")
    return {
        "tag": tag,
        "trigger": trigger,
        "containerversion": version,
        "consentrecord": record,
        "fireevent": event,
        "consentcategory": category(blog, "analytics"),
        "consentnotice": notice,
        "deadletter": DeadLetter.objects.create(container=blog, payload={}, reason="bad"),
        "fireeventdaily": FireEventDaily.objects.create(
            container=blog, day=timezone.now().date(), tag_id=tag.pk, fires=3
        ),
    }


def _notice(container):
    from tagmanager.models import ConsentNotice

    return ConsentNotice.objects.create(
        container=container, revision=1, locale="en", texts={}, sha256="0" * 64
    )


@pytest.mark.parametrize(
    "model",
    [
        "tag",
        "trigger",
        "containerversion",
        "consentrecord",
        "fireevent",
        "consentcategory",
        "consentnotice",
        "deadletter",
        "fireeventdaily",
    ],
)
def test_member_of_shop_cannot_see_blog_objects(as_editor, as_developer, meta, blog_things, model):
    other = blog_things[model]
    if model == "deadletter":  # only developers read dead letters at all
        as_editor = as_developer
    listing = as_editor.get(reverse(f"admin:tagmanager_{model}_changelist"))
    assert listing.status_code == 200
    assert other.pk not in [o.pk for o in listing.context["cl"].result_list]
    response = as_editor.get(reverse(f"admin:tagmanager_{model}_change", args=[other.pk]))
    assert response.status_code == 302  # to the admin index ...
    response = as_editor.get(response.url)
    assert "doesn’t exist" in response.content.decode()  # ... saying it doesn't exist


def test_member_sees_own_objects(as_editor, meta):
    listing = as_editor.get(reverse("admin:tagmanager_tag_changelist"))
    assert [t.pk for t in listing.context["cl"].result_list] == [meta.pk]


def test_list_filters_offer_only_own_containers(as_editor, shop, blog_things):
    ConsentCategoryFactory(container=blog_things["tag"].container, slug="blog_secret")
    response = as_editor.get(reverse("admin:tagmanager_tag_changelist"))
    html = response.content.decode()
    assert "Blog (blog)" not in html
    assert "blog_secret" not in html
    response = as_editor.get(reverse("admin:tagmanager_fireevent_changelist"))
    assert "blog_only_evt" not in response.content.decode()


def test_container_pages_of_another_container_are_404(as_publisher, blog_things, blog):
    for name, args in (
        ("publish", [blog.pk]),
        ("versions", [blog.pk]),
        ("rollback", [blog.pk, 1]),
    ):
        url = reverse(f"admin:tagmanager_container_{name}", args=args)
        assert as_publisher.get(url).status_code == 404
        assert as_publisher.post(url, {"notes": "x"}).status_code == 404
    assert blog.versions.count() == 1


def test_container_list_and_choices_are_scoped(as_editor, shop, blog):
    response = as_editor.get(reverse("admin:tagmanager_container_changelist"))
    assert list(response.context["cl"].result_list) == [shop]
    response = as_editor.get(reverse("admin:tagmanager_consentcategory_add"))
    assert list(response.context["adminform"].form.fields["container"].queryset) == [shop]


def test_crafted_post_into_another_container_is_refused(as_editor, shop, blog):
    trigger = trigger_save(container=blog, name="Blog pages", trigger_type="page_view")
    response = as_editor.post(
        tag_add(shop, "image"),
        {
            "container": blog.pk,
            "name": "Sneaky",
            "tag_type": "image",
            "param_url": "https://px.example.net/x.gif",
            "categories": [category(blog, "analytics").pk],
            "firing_triggers": [trigger.pk],
            "fire_limit": "unlimited",
            "priority": "0",
        },
    )
    assert "container" in response.context["adminform"].form.errors
    assert not Tag.objects.exists()


def test_superuser_sees_every_container(shop, blog):
    admin = login(user_with("root", superuser=True))
    response = admin.get(reverse("admin:tagmanager_container_changelist"))
    assert set(response.context["cl"].result_list) == {shop, blog}


def test_only_superusers_manage_membership(shop):
    publisher = user_with("pub", perms=[*EDITOR, "tagmanager.change_container"], containers=[shop])
    response = login(publisher).get(reverse("admin:tagmanager_container_change", args=[shop.pk]))
    assert "members" not in response.context["adminform"].form.fields
    admin = login(user_with("root", superuser=True))
    response = admin.get(reverse("admin:tagmanager_container_change", args=[shop.pk]))
    assert "members" in response.context["adminform"].form.fields


def test_creating_a_container_makes_its_creator_a_member():
    from tagmanager.models import Container

    creator = user_with("creator", perms=["tagmanager.add_container", "tagmanager.view_container"])
    response = login(creator).post(
        reverse("admin:tagmanager_container_add"),
        {
            "name": "New site",
            "key": "new-site",
            "allowed_origins": "[]",
            "revision": "1",
            "consent_lifetime_days": "180",
            "default_locale": "en",
            "banner_texts": '{"en": {"title": "Privacy"}}',
            "consent_mode_defaults": "[]",
            "categories-TOTAL_FORMS": "0",
            "categories-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(Container.objects.get(key="new-site").members.all()) == [creator]


def test_dead_letters_of_no_container_are_for_superusers_only(as_developer, shop):
    orphan = DeadLetter.objects.create(container=None, payload={}, reason="unknown key")
    listing = as_developer.get(reverse("admin:tagmanager_deadletter_changelist"))
    assert orphan not in listing.context["cl"].result_list
    admin = login(user_with("root", superuser=True))
    listing = admin.get(reverse("admin:tagmanager_deadletter_changelist"))
    assert orphan in listing.context["cl"].result_list


def test_reading_dead_letters_is_a_permission_of_its_own(
    as_editor, as_publisher, as_developer, shop
):
    letter = DeadLetter.objects.create(container=shop, payload={}, reason="bad")
    page = reverse("admin:tagmanager_deadletter_change", args=[letter.pk])
    for client in (as_editor, as_publisher):
        assert client.get(reverse("admin:tagmanager_deadletter_changelist")).status_code == 403
        assert client.get(page).status_code in (302, 403)
    assert as_developer.get(reverse("admin:tagmanager_deadletter_changelist")).status_code == 200
    assert as_developer.get(page).status_code == 200
