"""The tagmanager_roles command: groups with their permissions, idempotently."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.urls import reverse

from tagmanager.services.roles import ROLES, role_groups_sync
from tests.admin.conftest import login
from tests.factories import user_with

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("tagmanager_roles", *args, stdout=out)
    return out.getvalue()


def perms(group: Group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_creates_the_groups_with_their_permissions():
    output = run()
    assert "Tag editors: created" in output
    editors = Group.objects.get(name="Tag editors")
    publishers = Group.objects.get(name="Tag publishers")
    developers = Group.objects.get(name="Tag developers")
    assert "tagmanager.change_tag" in perms(editors)
    assert "tagmanager.view_consentrecord" in perms(editors)
    assert "tagmanager.publish_container" not in perms(editors)
    assert "tagmanager.change_code_tags" not in perms(editors)
    assert perms(publishers) - perms(editors) == {
        "tagmanager.publish_container",
        "tagmanager.change_container",
    }
    assert perms(developers) - perms(editors) == {
        "tagmanager.change_code_tags",
        "tagmanager.view_deadletter",  # rejected events: not for every editor
    }
    assert not any(p.startswith("tagmanager.change_consentrecord") for p in perms(publishers))


def test_running_again_changes_nothing():
    run()
    before = {g.name: perms(g) for g in Group.objects.all()}
    output = run()
    assert output.count("up to date") == 3
    assert {g.name: perms(g) for g in Group.objects.all()} == before
    assert Group.objects.count() == 3


def test_restores_a_group_changed_by_hand():
    run()
    editors = Group.objects.get(name="Tag editors")
    editors.permissions.remove(Permission.objects.get(codename="view_fireevent"))
    editors.permissions.add(Permission.objects.get(codename="publish_container"))
    output = run()
    assert (
        "Tag editors: updated (+tagmanager.view_fireevent, -tagmanager.publish_container)."
        in output
    )
    assert perms(editors) == set(ROLES["Tag editors"])


def test_dry_run_changes_nothing():
    output = run("--dry-run")
    assert "Tag editors: would be created" in output
    assert not Group.objects.exists()
    results = role_groups_sync(dry_run=True)
    assert all(r.created for r in results)


def test_missing_permissions_are_a_clear_error(monkeypatch):
    from tagmanager.services import roles

    monkeypatch.setitem(roles.ROLES, "Tag editors", ("tagmanager.fly_container",))
    with pytest.raises(CommandError, match="tagmanager.fly_container do not exist"):
        run()


def test_group_roles_hold_in_the_admin(shop, meta):
    run()
    editor = user_with("ed", containers=[shop])
    editor.groups.add(Group.objects.get(name="Tag editors"))
    publisher = user_with("pub", containers=[shop])
    publisher.groups.add(Group.objects.get(name="Tag publishers"))
    url = reverse("admin:tagmanager_container_publish", args=[shop.pk])
    assert login(editor).post(url, {"notes": "x"}).status_code == 403
    response = login(publisher).post(url, {"notes": "x"})
    assert response.status_code == 302
    shop.refresh_from_db()
    assert shop.live_version.number == 1
