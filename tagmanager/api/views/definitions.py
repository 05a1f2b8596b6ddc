"""The draft of a container: consent categories, tags, triggers and variables.

Every write goes through the service the admin uses; nothing reaches visitors before a publish.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema_view
from rest_framework import status
from rest_framework.mixins import ListModelMixin, RetrieveModelMixin
from rest_framework.response import Response

from tagmanager import permissions
from tagmanager.api.base import ContainerScopedViewSet
from tagmanager.api.errors import Conflict
from tagmanager.api.fields import references_resolve
from tagmanager.api.filters import CategoryFilter, TagFilter, TriggerFilter, VariableFilter
from tagmanager.api.schema import document
from tagmanager.api.serializers import definitions as s
from tagmanager.models import ConsentCategory, Tag, Trigger, Variable
from tagmanager.services.categories import CATEGORY_FIELDS, category_delete, category_save
from tagmanager.services.removal import tag_delete, trigger_delete, variable_delete
from tagmanager.services.tags import tag_save, trigger_save, variable_save

ID_PARAM = OpenApiParameter("id", int, OpenApiParameter.PATH)


class _DefinitionViewSet(ListModelMixin, RetrieveModelMixin, ContainerScopedViewSet):
    """CRUD over one kind of definition; subclasses name serializers and the service calls."""

    create_serializer = None
    input_serializer = None
    # Fields an update keeps from the stored object when the request leaves them out.
    fields_kept: tuple[str, ...] = ()

    def validated(self, serializer_class, *, partial=False) -> dict:
        serializer = serializer_class(
            data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def current(self, obj) -> dict:
        """The stored values of ``fields_kept``, for partial updates."""
        return {field: getattr(obj, field) for field in self.fields_kept}

    def save(self, *, container, data: dict, instance=None):
        raise NotImplementedError

    def remove(self, instance) -> None:
        raise NotImplementedError

    def create(self, request):
        data = self.validated(self.create_serializer)
        obj = self.save(container=data.pop("container"), data=data)
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        instance = self.get_object()
        data = {**self.current(instance), **self.validated(self.input_serializer, partial=partial)}
        obj = self.save(container=instance.container, data=data, instance=instance)
        return Response(self.get_serializer(obj).data)

    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)

    def destroy(self, request, pk=None):
        instance = self.get_object()
        try:
            self.remove(instance)
        except DjangoValidationError as exc:
            if getattr(exc, "code", None) == "in_use":
                raise Conflict(" ".join(exc.messages)) from None
            raise
        return Response(status=status.HTTP_204_NO_CONTENT)


def _crud_schema(name: str, create, change, output):
    """The operations' documentation, with their real request and response serializers."""
    return extend_schema_view(
        list=document(summary=f"{name}s of your containers"),
        retrieve=document(summary=f"One {name.lower()}", parameters=[ID_PARAM]),
        create=document(summary=f"Add a {name.lower()}", request=create, responses={201: output}),
        update=document(
            summary=f"Replace a {name.lower()}",
            parameters=[ID_PARAM],
            request=change,
            responses=output,
        ),
        partial_update=document(
            summary=f"Change some fields of a {name.lower()}",
            parameters=[ID_PARAM],
            request=change,
            responses=output,
        ),
        destroy=document(
            summary=f"Remove a {name.lower()}", parameters=[ID_PARAM], responses={204: None}
        ),
    )


@_crud_schema(
    "Consent category",
    s.CategoryCreateSerializer,
    s.CategoryInputSerializer,
    s.CategoryOutputSerializer,
)
class CategoryViewSet(_DefinitionViewSet):
    """Consent categories; removing one that tags still need is a 409. A category a custom HTML
    or script tag needs decides whether that code runs: changing or removing it needs
    tagmanager.change_code_tags."""

    queryset = ConsentCategory.objects.select_related("container").order_by(
        "container__name", "order", "slug", "pk"
    )
    serializer_class = s.CategoryOutputSerializer
    create_serializer = s.CategoryCreateSerializer
    input_serializer = s.CategoryInputSerializer
    filterset_class = CategoryFilter
    fields_kept = CATEGORY_FIELDS

    def update(self, request, pk=None, partial=False):
        # Before validation, as for code tags: the answer is 403 whatever the body.
        permissions.require_code_unlocked(request.user, self.get_object())
        return super().update(request, pk=pk, partial=partial)

    def save(self, *, container, data, instance=None):
        permissions.require_code_unlocked(self.request.user, instance)
        return category_save(container=container, category=instance, **data)

    def remove(self, instance):
        permissions.require_code_unlocked(self.request.user, instance)
        category_delete(category=instance)


@_crud_schema("Tag", s.TagCreateSerializer, s.TagInputSerializer, s.TagOutputSerializer)
class TagViewSet(_DefinitionViewSet):
    """Tags. Custom HTML and script tags need tagmanager.change_code_tags to add, change or
    remove, and no tag may become one (or stop being one) without it."""

    queryset = (
        Tag.objects.select_related("container")
        .prefetch_related("categories", "firing_triggers", "blocking_triggers")
        .order_by("container__name", "-priority", "name", "pk")
    )
    serializer_class = s.TagOutputSerializer
    create_serializer = s.TagCreateSerializer
    input_serializer = s.TagInputSerializer
    filterset_class = TagFilter
    fields_kept = ("name", "tag_type", "parameters", "fire_limit", "priority", "enabled")

    def _require_type(self, tag_type) -> None:
        if isinstance(tag_type, str):
            permissions.require_tag_type(self.request.user, tag_type)

    def current(self, obj) -> dict:
        return {
            **super().current(obj),
            "categories": list(obj.categories.all()),
            "firing_triggers": list(obj.firing_triggers.all()),
            "blocking_triggers": list(obj.blocking_triggers.all()),
        }

    def create(self, request):
        # Before validation: a user who may not add code tags learns nothing more about them.
        self._require_type(request.data.get("tag_type") if isinstance(request.data, dict) else None)
        return super().create(request)

    def update(self, request, pk=None, partial=False):
        tag = self.get_object()
        self._require_type(tag.tag_type)
        self._require_type(request.data.get("tag_type") if isinstance(request.data, dict) else None)
        return super().update(request, pk=pk, partial=partial)

    def save(self, *, container, data, instance=None):
        # Again on the cleaned value: the raw one checked early may differ (whitespace).
        self._require_type(data["tag_type"])
        data["categories"] = self._resolve(container, data["categories"], "categories")
        for field in ("firing_triggers", "blocking_triggers"):
            data[field] = self._resolve(container, data[field], field)
        return tag_save(container=container, tag=instance, **data)

    def _resolve(self, container, refs, field):
        # Already objects when a partial update kept the stored ones.
        if all(not isinstance(r, (int, str)) for r in refs):
            return refs
        if field == "categories":
            queryset, name_field, what = container.categories.all(), "slug", "consent category"
        else:
            queryset, name_field, what = container.triggers.all(), "name", "trigger"
        return references_resolve(
            queryset=queryset, refs=refs, field=field, name_field=name_field, what=what
        )

    def remove(self, instance):
        self._require_type(instance.tag_type)
        tag_delete(tag=instance)


@_crud_schema(
    "Trigger", s.TriggerCreateSerializer, s.TriggerInputSerializer, s.TriggerOutputSerializer
)
class TriggerViewSet(_DefinitionViewSet):
    """Triggers; removing one that tags still use is a 409. A trigger that fires or blocks a
    custom HTML or script tag decides when that code runs: changing or removing it needs
    tagmanager.change_code_tags."""

    queryset = Trigger.objects.select_related("container").order_by("container__name", "name", "pk")
    serializer_class = s.TriggerOutputSerializer
    create_serializer = s.TriggerCreateSerializer
    input_serializer = s.TriggerInputSerializer
    filterset_class = TriggerFilter
    fields_kept = ("name", "trigger_type", "parameters", "conditions")

    def update(self, request, pk=None, partial=False):
        permissions.require_code_unlocked(request.user, self.get_object())
        return super().update(request, pk=pk, partial=partial)

    def save(self, *, container, data, instance=None):
        permissions.require_code_unlocked(self.request.user, instance)
        return trigger_save(container=container, trigger=instance, **data)

    def remove(self, instance):
        permissions.require_code_unlocked(self.request.user, instance)
        trigger_delete(trigger=instance)


@_crud_schema(
    "Variable", s.VariableCreateSerializer, s.VariableInputSerializer, s.VariableOutputSerializer
)
class VariableViewSet(_DefinitionViewSet):
    """User-defined variables; removing one that tags or triggers refer to is a 409. A variable
    a custom HTML or script tag uses (``{{name}}`` in its parameters) is part of that code:
    creating, changing, renaming or removing it needs tagmanager.change_code_tags."""

    queryset = Variable.objects.select_related("container").order_by(
        "container__name", "name", "pk"
    )
    serializer_class = s.VariableOutputSerializer
    create_serializer = s.VariableCreateSerializer
    input_serializer = s.VariableInputSerializer
    filterset_class = VariableFilter
    fields_kept = ("name", "variable_type", "parameters")

    def update(self, request, pk=None, partial=False):
        # Before validation, as for code tags: the answer is 403 whatever the body.
        permissions.require_variable_change(request.user, self.get_object())
        return super().update(request, pk=pk, partial=partial)

    def save(self, *, container, data, instance=None):
        variable = instance or Variable(container=container)
        permissions.require_variable_change(self.request.user, variable, name=data["name"])
        return variable_save(container=container, variable=instance, **data)

    def remove(self, instance):
        permissions.require_variable_change(self.request.user, instance)
        variable_delete(variable=instance)
