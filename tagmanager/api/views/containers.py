from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.mixins import ListModelMixin, RetrieveModelMixin
from rest_framework.response import Response

from tagmanager import permissions, selectors
from tagmanager.api.base import ContainerScopedViewSet
from tagmanager.api.schema import document
from tagmanager.api.serializers.containers import (
    ContainerCreateSerializer,
    ContainerInputSerializer,
    ContainerOutputSerializer,
)
from tagmanager.api.serializers.versions import (
    DiffQuerySerializer,
    DiffSerializer,
    PublishedSerializer,
    PublishInputSerializer,
    PublishProblemsSerializer,
    VersionDetailSerializer,
    VersionOutputSerializer,
)
from tagmanager.models import Container, ContainerVersion
from tagmanager.services.containers import container_create, container_update
from tagmanager.services.publishing import container_publish, container_rollback

KEY_PARAM = OpenApiParameter("key", str, OpenApiParameter.PATH, description="Container key.")
NUMBER_PARAM = OpenApiParameter("number", int, OpenApiParameter.PATH, description="Version number.")
VIEW_VERSIONS = ("tagmanager.view_containerversion",)


def _input(view, serializer_class, *, data=None, partial=False, **kwargs) -> dict:
    serializer = serializer_class(
        data=view.request.data if data is None else data,
        partial=partial,
        context=view.get_serializer_context(),
        **kwargs,
    )
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _published(version: ContainerVersion, view) -> Response:
    body = PublishedSerializer(version, context=view.get_serializer_context()).data
    return Response(body, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=document(summary="Your containers"),
    retrieve=document(summary="One container", parameters=[KEY_PARAM]),
)
class ContainerViewSet(ListModelMixin, RetrieveModelMixin, ContainerScopedViewSet):
    """Containers (websites) you are a member of."""

    queryset = Container.objects.select_related("live_version").order_by("name", "pk")
    serializer_class = ContainerOutputSerializer
    container_field = "pk"
    lookup_field = "key"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    filter_backends = ()
    action_permissions = {
        # Checked by the action itself: the publish permission plus membership.
        "publish": (),
        "diff": VIEW_VERSIONS,
    }

    @document(
        summary="Create a container (you become a member)",
        request=ContainerCreateSerializer,
        responses={201: ContainerOutputSerializer},
    )
    def create(self, request):
        data = _input(self, ContainerCreateSerializer)
        container = container_create(members=[request.user], **data)
        return Response(self.get_serializer(container).data, status=status.HTTP_201_CREATED)

    @document(
        summary="Change a container's settings",
        parameters=[KEY_PARAM],
        request=ContainerInputSerializer,
        responses=ContainerOutputSerializer,
    )
    def update(self, request, key=None, partial=False):
        container = self.get_object()
        data = _input(self, ContainerInputSerializer, partial=partial)
        container = container_update(container=container, **data)
        return Response(self.get_serializer(container).data)

    @document(
        summary="Change some of a container's settings",
        parameters=[KEY_PARAM],
        request=ContainerInputSerializer,
        responses=ContainerOutputSerializer,
    )
    def partial_update(self, request, key=None):
        return self.update(request, key=key, partial=True)

    @document(
        summary="Publish the draft as a new live version",
        description="Needs tagmanager.publish_container. A draft with problems is not "
        "published: the 400 answer lists every problem.",
        parameters=[KEY_PARAM],
        request=PublishInputSerializer,
        responses={201: PublishedSerializer, 400: PublishProblemsSerializer},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, key=None):
        container = self.get_object()
        permissions.require_publish(request.user, container)
        data = _input(self, PublishInputSerializer)
        try:
            version = container_publish(container=container, author=request.user, **data)
        except DjangoValidationError as exc:
            problems = exc.messages
            return Response(
                {
                    "detail": f"The draft has {len(problems)} problem(s); nothing was published.",
                    "problems": problems,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return _published(version, self)

    @document(
        summary="What publishing now would change (draft against the live version)",
        parameters=[KEY_PARAM],
        responses=DiffSerializer,
    )
    @action(detail=True, methods=["get"])
    def diff(self, request, key=None):
        container = self.get_object()
        diff = selectors.container_draft_diff(container=container)
        live = container.live_version
        return Response({"base": live.number if live else None, "target": "draft", **diff})


class VersionViewSet(ListModelMixin, RetrieveModelMixin, ContainerScopedViewSet):
    """Published versions of a container, newest first; immutable."""

    queryset = ContainerVersion.objects.select_related("container", "author", "rollback_of")
    serializer_class = VersionOutputSerializer
    lookup_field = "number"
    filter_backends = ()
    action_permissions = {"rollback": ()}

    def get_container(self) -> Container:
        containers = permissions.containers_for_user(self.request.user)
        return get_object_or_404(containers, key=self.kwargs["key"])

    def get_queryset(self):
        return super().get_queryset().filter(container=self.get_container()).order_by("-number")

    def get_serializer_class(self):
        return VersionDetailSerializer if self.action == "retrieve" else VersionOutputSerializer

    @document(summary="Versions of a container", parameters=[KEY_PARAM])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @document(summary="One version, with its configuration", parameters=[KEY_PARAM, NUMBER_PARAM])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @document(
        summary="What a version changed",
        description="Against the version before it, or against ?against=<number>.",
        parameters=[KEY_PARAM, NUMBER_PARAM, DiffQuerySerializer],
        responses=DiffSerializer,
    )
    @action(detail=True, methods=["get"])
    def diff(self, request, key=None, number=None):
        version = self.get_object()
        query = _input(self, DiffQuerySerializer, data=request.query_params)
        against = None
        if "against" in query:
            against = self.get_queryset().filter(number=query["against"]).first()
            if against is None:
                return Response(
                    {"against": [f"This container has no version {query['against']}."]},
                    status=status.HTTP_400_BAD_REQUEST,
                )
        diff = selectors.version_diff(version=version, against=against)
        base = against or version.container.versions.filter(number__lt=version.number).first()
        return Response({"base": base.number if base else None, "target": version.number, **diff})

    @document(
        summary="Roll back: publish this version's snapshot again, as a new version",
        description="Needs tagmanager.publish_container.",
        parameters=[KEY_PARAM, NUMBER_PARAM],
        request=PublishInputSerializer,
        responses={201: PublishedSerializer},
    )
    @action(detail=True, methods=["post"])
    def rollback(self, request, key=None, number=None):
        version = self.get_object()
        permissions.require_publish(request.user, version.container)
        data = _input(self, PublishInputSerializer)
        new = container_rollback(
            container=version.container, version=version, author=request.user, **data
        )
        return _published(new, self)
