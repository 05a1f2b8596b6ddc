"""Create and change tags, triggers and variables, validated against the type registries."""

from django.core.exceptions import ValidationError
from django.db import transaction

from tagmanager.models import ConsentCategory, Container, Tag, Trigger, Variable
from tagmanager.registry import get_type
from tagmanager.registry.conditions import conditions_validate
from tagmanager.registry.variables import NAME_PATTERN, is_builtin


def _prefixed(prefix: str, exc: ValidationError) -> ValidationError:
    """Re-key a type's per-parameter errors as ``parameters.<name>`` for forms and the API."""
    if not hasattr(exc, "error_dict"):
        return ValidationError({prefix: exc.error_list})
    return ValidationError(
        {
            (key if key == prefix else f"{prefix}.{key}"): errors
            for key, errors in exc.error_dict.items()
        }
    )


def tag_parameters_validate(*, tag_type: str, parameters) -> dict:
    try:
        kind = get_type("TAG_TYPES", tag_type)
    except ValidationError as exc:
        raise ValidationError({"tag_type": exc.error_list}) from None
    try:
        return kind.validate(parameters)
    except ValidationError as exc:
        raise _prefixed("parameters", exc) from None


def trigger_definition_validate(*, trigger_type: str, parameters, conditions) -> tuple[dict, list]:
    errors = {}
    cleaned_parameters, cleaned_conditions = {}, []
    try:
        kind = get_type("TRIGGER_TYPES", trigger_type)
    except ValidationError as exc:
        errors["trigger_type"] = exc.error_list
    else:
        try:
            cleaned_parameters = kind.validate(parameters)
        except ValidationError as exc:
            errors.update(_prefixed("parameters", exc).error_dict)
    try:
        cleaned_conditions = conditions_validate(conditions)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned_parameters, cleaned_conditions


def variable_definition_validate(*, name: str, variable_type: str, parameters) -> dict:
    errors = {}
    if not NAME_PATTERN.fullmatch(name or ""):
        errors["name"] = ["Use letters, digits and _ (not starting with a digit), at most 64."]
    elif is_builtin(name):
        errors["name"] = [f"'{name}' is a built-in variable; choose another name."]
    cleaned = {}
    try:
        kind = get_type("VARIABLE_TYPES", variable_type)
    except ValidationError as exc:
        errors["variable_type"] = exc.error_list
    else:
        try:
            cleaned = kind.validate(parameters)
        except ValidationError as exc:
            errors.update(_prefixed("parameters", exc).error_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _same_container(container: Container, objects, field: str) -> None:
    strangers = [str(o) for o in objects if o.container_id != container.pk]
    if strangers:
        raise ValidationError({field: [f"Belongs to another container: {', '.join(strangers)}."]})


@transaction.atomic
def tag_save(
    *,
    container: Container,
    name: str,
    tag_type: str,
    parameters: dict,
    categories: list[ConsentCategory],
    firing_triggers: list[Trigger],
    blocking_triggers: list[Trigger] = (),
    fire_limit: str = Tag.FireLimit.UNLIMITED,
    priority: int = 0,
    enabled: bool = True,
    tag: Tag | None = None,
) -> Tag:
    """Create a tag, or update ``tag``, after validating parameters and references."""
    cleaned = tag_parameters_validate(tag_type=tag_type, parameters=parameters)
    if not categories:
        raise ValidationError({"categories": ["A tag needs at least one consent category."]})
    _same_container(container, categories, "categories")
    _same_container(container, firing_triggers, "firing_triggers")
    _same_container(container, blocking_triggers, "blocking_triggers")
    tag = tag or Tag(container=container)
    tag.name, tag.tag_type, tag.parameters = name, tag_type, cleaned
    tag.fire_limit, tag.priority, tag.enabled = fire_limit, priority, enabled
    tag.full_clean()
    tag.save()
    tag.categories.set(categories)
    tag.firing_triggers.set(firing_triggers)
    tag.blocking_triggers.set(blocking_triggers)
    return tag


def trigger_save(
    *,
    container: Container,
    name: str,
    trigger_type: str,
    parameters: dict | None = None,
    conditions: list | None = None,
    trigger: Trigger | None = None,
) -> Trigger:
    cleaned, cleaned_conditions = trigger_definition_validate(
        trigger_type=trigger_type, parameters=parameters or {}, conditions=conditions or []
    )
    trigger = trigger or Trigger(container=container)
    trigger.name, trigger.trigger_type = name, trigger_type
    trigger.parameters, trigger.conditions = cleaned, cleaned_conditions
    trigger.full_clean()
    trigger.save()
    return trigger


def variable_save(
    *,
    container: Container,
    name: str,
    variable_type: str,
    parameters: dict,
    variable: Variable | None = None,
) -> Variable:
    cleaned = variable_definition_validate(
        name=name, variable_type=variable_type, parameters=parameters
    )
    variable = variable or Variable(container=container)
    variable.name, variable.variable_type, variable.parameters = name, variable_type, cleaned
    variable.full_clean()
    variable.save()
    return variable
