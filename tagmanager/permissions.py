"""Who may do what, shared by the admin and the API.

A user sees only the containers they are a member of (superusers see all). On top of Django's
model permissions the app defines two of its own:

- ``tagmanager.publish_container``: publish and roll back versions (editors only draft);
- ``tagmanager.change_code_tags``: create or change tags that run code on the site
  (custom HTML, script URL: any tag type with ``runs_code``), and the variables such tags
  use (a ``{{cdn}}`` in a custom HTML tag makes the variable ``cdn`` part of that code).

Usage::

    from tagmanager import permissions

    containers = permissions.containers_for_user(request.user)
    permissions.require_publish(request.user, container)  # raises PermissionDenied
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from tagmanager.models import Container, Tag, Variable
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


def code_tag_variable_names(container_id: int) -> set[str]:
    """The ``{{names}}`` the container's tags that run code use in their parameters."""
    code_types = [slug for slug, kind in tag_types().items() if kind.runs_code]
    parameters = Tag.objects.filter(container_id=container_id, tag_type__in=code_types).values_list(
        "parameters", flat=True
    )
    return set().union(*(variable_refs(p) for p in parameters))


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
        raise PermissionDenied(
            f"Variable '{variable.name}' is used by a tag that runs code (custom HTML or "
            "script); only users allowed to manage code tags may change or delete it."
        )
    if name and name in used:
        raise PermissionDenied(
            f"'{{{{{name}}}}}' is used by a tag that runs code (custom HTML or script); only "
            "users allowed to manage code tags may give a variable this name."
        )


def can_change_variable(user, variable: Variable) -> bool:
    """Whether ``user`` may change or delete ``variable`` (see require_variable_change)."""
    return user.has_perm(CODE_TAGS) or not variable_feeds_code(variable)
