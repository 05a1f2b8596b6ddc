"""Query filters (django-filter). A value that cannot be a filter's is a 400 naming it."""

from datetime import timezone as dt_timezone

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions

from tagmanager import permissions
from tagmanager.api.fields import BIGINT_MAX
from tagmanager.models import ConsentCategory, ConsentRecord, FireEvent, Tag, Trigger, Variable


@extend_schema_field(OpenApiTypes.STR)
class ContainerKeyFilter(filters.Filter):
    """``?container=<key>``: one of the user's containers; any other key is a 400."""

    field_class = forms.SlugField

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        container = (
            permissions.containers_for_user(self.parent.request.user).filter(key=value).first()
        )
        if container is None:
            raise exceptions.ValidationError(
                {"container": [f"You have no container with the key '{value}'."]}
            )
        return qs.filter(**{self.field_name: container})


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(filters.NumberFilter):
    """A whole-number id (NumberFilter alone would take 1.5)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(*args, **kwargs)


class StrictBooleanField(forms.Field):
    """``true``/``false`` (or ``1``/``0``, any case); anything else is an error, where
    django-filter's own boolean filter would quietly not filter at all."""

    widget = forms.TextInput
    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, bool):
            return value
        try:
            return self.VALUES[str(value).strip().lower()]
        except KeyError:
            raise ValidationError("Use true or false.", code="invalid") from None


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.BooleanFilter):
    # Not the rest_framework flavour: its widget turns unknown values into "no filter".
    field_class = StrictBooleanField


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 time, as UTC: ISO allows offsets up to ±24:00, PostgreSQL only ±15:59."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None and timezone.is_aware(value):
            try:
                value = value.astimezone(dt_timezone.utc)
            except OverflowError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return value


class UtcIsoDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


def _since(field: str):
    return UtcIsoDateTimeFilter(
        field_name=field,
        lookup_expr="gte",
        label="From this time (ISO 8601; UTC when no offset is given), inclusive.",
    )


def _until(field: str):
    return UtcIsoDateTimeFilter(
        field_name=field, lookup_expr="lt", label="Up to this time, exclusive."
    )


class _ContainerFilterSet(filters.FilterSet):
    # Every boolean field named in Meta.fields (enabled, required, gpc, consent_violation ...)
    # gets the strict filter: a bad value is a 400, not an unfiltered answer.
    FILTER_DEFAULTS = {
        **filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": StrictBooleanFilter},
    }

    container = ContainerKeyFilter(field_name="container", label="A container key.")


class CategoryFilter(_ContainerFilterSet):
    slug = filters.CharFilter(max_length=50)

    class Meta:
        model = ConsentCategory
        fields = ["container", "slug", "required"]


class TagFilter(_ContainerFilterSet):
    name = filters.CharFilter(lookup_expr="icontains", max_length=200, label="Name contains.")
    tag_type = filters.CharFilter(max_length=50)
    category = filters.CharFilter(
        field_name="categories__slug",
        max_length=50,
        label="Needs this category (slug).",
        distinct=True,
    )

    class Meta:
        model = Tag
        fields = ["container", "name", "tag_type", "enabled", "category"]


class TriggerFilter(_ContainerFilterSet):
    name = filters.CharFilter(lookup_expr="icontains", max_length=200, label="Name contains.")
    trigger_type = filters.CharFilter(max_length=50)

    class Meta:
        model = Trigger
        fields = ["container", "name", "trigger_type"]


class VariableFilter(_ContainerFilterSet):
    name = filters.CharFilter(lookup_expr="icontains", max_length=64, label="Name contains.")
    variable_type = filters.CharFilter(max_length=50)

    class Meta:
        model = Variable
        fields = ["container", "name", "variable_type"]


class ConsentRecordFilter(_ContainerFilterSet):
    consent_id = filters.UUIDFilter()
    action = filters.ChoiceFilter(choices=ConsentRecord.Action.choices)
    source = filters.ChoiceFilter(choices=ConsentRecord.Source.choices)
    since = _since("created_at")
    until = _until("created_at")

    class Meta:
        model = ConsentRecord
        fields = ["container", "consent_id", "action", "source", "gpc", "since", "until"]


class FireEventFilter(_ContainerFilterSet):
    tag = IdFilter(field_name="tag_id", label="Tag id.")
    trigger = IdFilter(field_name="trigger_id", label="Trigger id.")
    event = filters.CharFilter(field_name="event_name", max_length=100, label="Event name.")
    consent_id = filters.UUIDFilter()
    since = _since("server_time")
    until = _until("server_time")

    class Meta:
        model = FireEvent
        fields = [
            "container",
            "tag",
            "trigger",
            "event",
            "consent_id",
            "consent_violation",
            "since",
            "until",
        ]
