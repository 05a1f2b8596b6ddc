"""Serializer fields shared by the API's input serializers."""

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tagmanager import permissions
from tagmanager.models.validators import origin_canonical

KEY = re.compile(r"[-a-zA-Z0-9_]{1,64}")
# Largest values the database's integer columns hold on every backend.
INT_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1


@extend_schema_field(OpenApiTypes.STR)
class ContainerKeyField(serializers.Field):
    """A container, given by its key, among the containers the requesting user belongs to.

    Another member's container reads as unknown, so keys cannot be probed through it.
    """

    default_error_messages = {
        "invalid": "Expected a container key (letters, digits, - and _).",
        "unknown": "You have no container with the key '{value}'.",
    }

    def to_internal_value(self, data):
        if not isinstance(data, str) or not KEY.fullmatch(data):
            self.fail("invalid")
        user = self.context["request"].user
        container = permissions.containers_for_user(user).filter(key=data).first()
        if container is None:
            self.fail("unknown", value=data)
        return container

    def to_representation(self, value):
        return value.key


@extend_schema_field({"oneOf": [{"type": "integer", "minimum": 1}, {"type": "string"}]})
class ReferenceField(serializers.Field):
    """Another definition of the same container by id (a number) or by slug/name (text)."""

    default_error_messages = {
        "invalid": "Expected an id (a number) or a name (text).",
    }

    def to_internal_value(self, data):
        if isinstance(data, int) and not isinstance(data, bool) and 1 <= data <= BIGINT_MAX:
            return data
        if isinstance(data, str) and data.strip() and len(data) <= 200:
            return data.strip()
        self.fail("invalid")

    def to_representation(self, value):
        return value


def references_resolve(*, queryset, refs: list, field: str, name_field: str, what: str) -> list:
    """The objects of ``queryset`` (one container's) that ``refs`` name, in order, or a
    ValidationError keyed by ``field`` naming each one that is not there."""
    ids = [r for r in refs if isinstance(r, int)]
    names = [r for r in refs if isinstance(r, str)]
    by_id = {o.pk: o for o in queryset.filter(pk__in=ids)} if ids else {}
    by_name = {getattr(o, name_field): o for o in queryset.filter(**{f"{name_field}__in": names})}
    found, unknown = [], []
    for ref in refs:
        obj = by_id.get(ref) if isinstance(ref, int) else by_name.get(ref)
        if obj is None:
            unknown.append(repr(ref))
        elif obj not in found:
            found.append(obj)
    if unknown:
        raise serializers.ValidationError(
            {field: [f"No {what} {', '.join(unknown)} in this container."]}
        )
    return found


class OriginField(serializers.CharField):
    """``https://shop.example`` or ``http://localhost:8000``: scheme, host, optional port;
    lowercased, as browsers send the Origin header the ingestion endpoints compare it with."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 300)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        return origin_validate(super().to_internal_value(data))


def origin_validate(value: str) -> str:
    """The origin as browsers send it (``HTTPS://Shop.example:443/`` → ``https://shop.example``)."""
    origin = origin_canonical(value)
    if origin is None:
        raise serializers.ValidationError(
            f"'{value}' is not an origin; use scheme, host and optional port, such as "
            "https://www.example.com."
        )
    return origin


class TextsField(serializers.DictField):
    """Texts per language: ``{"en": "Analytics", "de": "Statistik"}``."""

    child = serializers.CharField(allow_blank=True, max_length=10_000, trim_whitespace=False)
