"""Remove tags, triggers and variables from a container's draft.

Removing something other definitions still point at is refused (``ValidationError`` with code
``in_use`` naming them): a vanished blocking trigger would let a tag fire where it was meant
not to, and a vanished variable would only surface as a publishing error much later.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from tagmanager.models import Tag, Trigger, Variable
from tagmanager.registry import variable_refs


def _refuse(what: str, users: list[str]) -> None:
    if users:
        raise ValidationError(
            f"{what} is still used by {', '.join(users)}; change those first.", code="in_use"
        )


@transaction.atomic
def tag_delete(*, tag: Tag) -> None:
    """Remove a tag from the draft; the live version keeps it until the next publish."""
    tag.delete()


@transaction.atomic
def trigger_delete(*, trigger: Trigger) -> None:
    tags = (
        Tag.objects.filter(Q(firing_triggers=trigger) | Q(blocking_triggers=trigger))
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()
    )
    _refuse(f"Trigger '{trigger.name}'", [f"tag '{name}'" for name in tags])
    trigger.delete()


def variable_users(*, variable: Variable) -> list[str]:
    """The tags and triggers of the variable's container that refer to it, for messages."""
    name = variable.name
    users = [
        f"tag '{tag.name}'"
        for tag in Tag.objects.for_container(variable.container_id).order_by("name")
        if name in variable_refs(tag.parameters)
    ]
    for trigger in Trigger.objects.for_container(variable.container_id).order_by("name"):
        in_conditions = any(
            isinstance(c, dict) and c.get("variable") == name for c in trigger.conditions
        )
        if in_conditions or name in variable_refs(trigger.parameters):
            users.append(f"trigger '{trigger.name}'")
    return users


@transaction.atomic
def variable_delete(*, variable: Variable) -> None:
    _refuse(f"Variable '{variable.name}'", variable_users(variable=variable))
    variable.delete()
