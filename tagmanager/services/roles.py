"""Roles as Django groups.

Three groups, each a fixed set of permissions (``ROLES``); a user may be in several:

- "Tag editors" draft: tags, triggers, variables and consent categories, and read the rest;
- "Tag publishers" also publish and roll back, and change container settings;
- "Tag developers" also create and change tags that run code (custom HTML, script URL), and
  read the dead letters (rejected events: what a broken integration sent, personal data
  minimised but not gone, so not for every editor).

Groups say what a user may do; container membership says where. ``role_groups_sync`` creates
the groups or brings their permissions back to this definition, and is safe to run again::

    from tagmanager.services.roles import role_groups_sync
    for change in role_groups_sync():
        print(change.name, change.created, change.added, change.removed)
"""

from dataclasses import dataclass

from django.db import transaction

_DRAFT_MODELS = ("tag", "trigger", "variable", "consentcategory")
_READ_MODELS = (
    "container",
    "containerversion",
    "consentnotice",
    "consentrecord",
    "fireevent",
    "fireeventdaily",
    "fireduplicatedaily",
    "consentdaily",
    "rollupday",
)
EDITOR_PERMS = (
    *(
        f"tagmanager.{action}_{model}"
        for model in _DRAFT_MODELS
        for action in ("add", "change", "delete", "view")
    ),
    *(f"tagmanager.view_{model}" for model in _READ_MODELS),
)
ROLES: dict[str, tuple[str, ...]] = {
    "Tag editors": EDITOR_PERMS,
    # Container settings such as allowed origins and the key act at once, not on publish.
    "Tag publishers": (
        *EDITOR_PERMS,
        "tagmanager.publish_container",
        "tagmanager.change_container",
    ),
    "Tag developers": (
        *EDITOR_PERMS,
        "tagmanager.change_code_tags",
        "tagmanager.view_deadletter",
    ),
}


@dataclass(frozen=True)
class RoleSync:
    """What ``role_groups_sync`` did (or would do) to one group."""

    name: str
    created: bool
    added: tuple[str, ...]
    removed: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return self.created or bool(self.added or self.removed)


def _permissions(names) -> dict:
    from django.contrib.auth.models import Permission

    wanted = {tuple(name.split(".", 1)) for name in names}
    found = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.select_related("content_type").filter(
            content_type__app_label__in={app for app, _ in wanted},
            codename__in={code for _, code in wanted},
        )
    }
    missing = sorted(f"{app}.{code}" for app, code in wanted - found.keys())
    if missing:
        raise LookupError(
            f"Permission(s) {', '.join(missing)} do not exist; run manage.py migrate first."
        )
    return {f"{app}.{code}": perm for (app, code), perm in found.items()}


@transaction.atomic
def role_groups_sync(*, dry_run: bool = False) -> list[RoleSync]:
    """Create the role groups, or set their permissions to exactly ``ROLES``.

    Permissions added to these groups by hand are removed; give them to another group.
    Raises ``LookupError`` when a permission does not exist (migrations not applied).
    """
    from django.contrib.auth.models import Group

    perms = _permissions({name for names in ROLES.values() for name in names})
    results = []
    for name, wanted in ROLES.items():
        group = Group.objects.filter(name=name).first()
        current = set()
        if group is not None:
            current = {
                f"{p.content_type.app_label}.{p.codename}"
                for p in group.permissions.select_related("content_type")
            }
        added = tuple(sorted(set(wanted) - current))
        removed = tuple(sorted(current - set(wanted)))
        results.append(RoleSync(name, group is None, added, removed))
        if dry_run:
            continue
        if group is None:
            group = Group.objects.create(name=name)
        if added or removed:
            group.permissions.set([perms[p] for p in wanted])
    return results
