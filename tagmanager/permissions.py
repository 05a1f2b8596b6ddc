"""Who may do what, shared by the admin and the API.

A user sees only the containers they are a member of (superusers see all). On top of Django's
model permissions the app defines two of its own:

- ``tagmanager.publish_container``: publish and roll back versions (editors only draft);
- ``tagmanager.change_code_tags``: create or change tags that run code on the site
  (custom HTML, script URL: any tag type with ``runs_code``), and what decides what they run
  or when: the variables they use (a ``{{cdn}}`` in a custom HTML tag makes the variable
  ``cdn`` part of that code), their firing and blocking triggers and the variables those
  triggers' conditions read, and their consent categories (``required`` would let them fire
  without consent).

Usage::

    from tagmanager import permissions

    containers = permissions.containers_for_user(request.user)
    permissions.require_publish(request.user, container)  # raises PermissionDenied
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from tagmanager.models import ConsentCategory, Container, Tag, Trigger, Variable
from tagmanager.registry import tag_types, variable_refs

PUBLISH = "tagmanager.publish_container"
CODE_TAGS = "tagmanager.change_code_tags"
# Consent decisions are read from consent records, wherever they are shown (reports too).
VIEW_CONSENT = "tagmanager.view_consentrecord"


def containers_for_user(user) -> QuerySet:
    """The containers ``user`` may see at all."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Container.objects.none()
    return Container.objects.for_user(user)


def scope_to_user(queryset: QuerySet, user, *, field: str = "container") -> QuerySet:
    """``queryset`` (of a model with a container foreign key) limited to ``user``'s containers."""
    if user is not None and user.is_active and user.is_superuser:
        return queryset
    return queryset.filter(**{f"{field}__in": containers_for_user(user)})


def container_visible(user, container: Container) -> bool:
    return containers_for_user(user).filter(pk=container.pk).exists()


def can_publish(user, container: Container) -> bool:
    return user.has_perm(PUBLISH) and container_visible(user, container)


def require_publish(user, container: Container) -> None:
    if not can_publish(user, container):
        raise PermissionDenied("You may not publish or roll back this container.")


def tag_type_runs_code(tag_type: str) -> bool:
    kind = tag_types().get(tag_type)
    return bool(kind and kind.runs_code)


def can_use_tag_type(user, tag_type: str) -> bool:
    """Whether ``user`` may create a tag of this type, or change a tag that is or becomes one."""
    return not tag_type_runs_code(tag_type) or user.has_perm(CODE_TAGS)


def require_tag_type(user, tag_type: str) -> None:
    if not can_use_tag_type(user, tag_type):
        raise PermissionDenied(
            "Only users allowed to manage code tags may create or change custom HTML and "
            "script tags."
        )


def code_tags(container_id: int) -> QuerySet:
    """The container's tags whose type runs code, enabled or not (enabling one is a change
    too)."""
    code_types = [slug for slug, kind in tag_types().items() if kind.runs_code]
    return Tag.objects.filter(container_id=container_id, tag_type__in=code_types)


def code_tag_triggers(container_id: int) -> QuerySet:
    """The triggers that fire or block a code tag of the container."""
    tags = code_tags(container_id)
    return Trigger.objects.filter(
        Q(fired_tags__in=tags) | Q(blocked_tags__in=tags), container_id=container_id
    ).distinct()


def code_tag_variable_names(container_id: int) -> set[str]:
    """The variable names that decide what the container's code tags run, or when: the
    ``{{names}}`` in their parameters, and the variables their triggers read."""
    parameters = code_tags(container_id).values_list("parameters", flat=True)
    names = set().union(*(variable_refs(p) for p in parameters))
    for trigger in code_tag_triggers(container_id):
        names |= variable_refs(trigger.parameters)
        names |= {c.get("variable") for c in trigger.conditions if isinstance(c, dict)}
    return {n for n in names if isinstance(n, str)}


def _code_tag_names(tags: QuerySet) -> str:
    names = list(tags.order_by("name").values_list("name", flat=True).distinct())
    return ", ".join(f"'{n}'" for n in names)


def code_lock_reason(user, obj) -> str:
    """Why ``user`` may not change or delete ``obj`` (a tag, trigger, consent category or
    variable) because it decides what code the site runs, or when; "" when they may.

    The admin shows it on the read-only page; the ``require_*`` functions raise it.
    """
    if obj is None or user.has_perm(CODE_TAGS):
        return ""
    if isinstance(obj, Tag):
        if tag_type_runs_code(obj.tag_type):
            return (
                f"'{obj.name}' runs code on the site (custom HTML or script); only users "
                "allowed to manage code tags may change or delete it."
            )
    elif isinstance(obj, Trigger) and obj.pk:
        users = code_tags(obj.container_id).filter(
            Q(firing_triggers=obj) | Q(blocking_triggers=obj)
        )
        if users.exists():
            return (
                f"Trigger '{obj.name}' decides when tags that run code fire "
                f"({_code_tag_names(users)}); only users allowed to manage code tags may "
                "change or delete it."
            )
    elif isinstance(obj, ConsentCategory) and obj.pk:
        users = code_tags(obj.container_id).filter(categories=obj)
        if users.exists():
            return (
                f"Consent category '{obj.slug}' decides whether tags that run code fire "
                f"({_code_tag_names(users)}); only users allowed to manage code tags may "
                "change or delete it."
            )
    elif isinstance(obj, Variable) and variable_feeds_code(obj):
        return (
            f"Variable '{obj.name}' is used by a tag that runs code (custom HTML or "
            "script); only users allowed to manage code tags may change or delete it."
        )
    return ""


def require_code_unlocked(user, obj) -> None:
    """Raise ``PermissionDenied`` with the reason when ``code_lock_reason`` gives one."""
    reason = code_lock_reason(user, obj)
    if reason:
        raise PermissionDenied(reason)


def can_change_definition(user, obj) -> bool:
    """Whether ``user`` may change or delete a tag, trigger, category or variable, as far as
    code tags are concerned."""
    return not code_lock_reason(user, obj)


def variable_feeds_code(variable: Variable, *, name: str | None = None) -> bool:
    """Whether a code tag of the variable's container uses it, by its current name or by
    ``name``, the name it is about to take (an unsaved ``variable``: the one being created)."""
    names = {n for n in (variable.name, name) if n}
    return bool(names & code_tag_variable_names(variable.container_id))


def require_variable_change(user, variable: Variable, *, name: str | None = None) -> None:
    """Refuse to create, change, rename or delete a variable that code tags use, unless
    ``user`` may manage code tags: whoever sets the variable would choose the code that runs.

    ``name``: the name a created or renamed variable is to have.
    """
    if user.has_perm(CODE_TAGS):
        return
    used = code_tag_variable_names(variable.container_id)
    if variable.name and variable.name in used:
        raise PermissionDenied(code_lock_reason(user, variable))
    if name and name in used:
        raise PermissionDenied(
            f"'{{{{{name}}}}}' is used by a tag that runs code (custom HTML or script); only "
            "users allowed to manage code tags may give a variable this name."
        )


def can_change_variable(user, variable: Variable) -> bool:
    """Whether ``user`` may change or delete ``variable`` (see require_variable_change)."""
    return can_change_definition(user, variable)
