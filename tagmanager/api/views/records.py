"""Read-only logs: consent records (with the streamed export) and fire events."""

from django.http import Http404, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema_view,
)
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.mixins import ListModelMixin, RetrieveModelMixin
from rest_framework.renderers import JSONRenderer

from tagmanager.api.base import ContainerScopedViewSet
from tagmanager.api.filters import ConsentRecordFilter, FireEventFilter
from tagmanager.api.formats import CSVRenderer
from tagmanager.api.pagination import ConsentRecordPagination, FireEventPagination
from tagmanager.api.schema import document
from tagmanager.api.serializers.records import (
    ConsentRecordOutputSerializer,
    ExportQuerySerializer,
    ExportRowSerializer,
    FireEventOutputSerializer,
)
from tagmanager.models import ConsentRecord, FireEvent
from tagmanager.services.export import consent_records_for_export, export_stream

ID_PARAM = OpenApiParameter("id", int, OpenApiParameter.PATH)
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}


@extend_schema_view(
    list=document(summary="Consent records of your containers, newest first"),
    retrieve=document(summary="One consent record", parameters=[ID_PARAM]),
)
class ConsentRecordViewSet(ListModelMixin, RetrieveModelMixin, ContainerScopedViewSet):
    """Proof of each consent decision: read-only, as the records themselves are."""

    queryset = ConsentRecord.objects.select_related("container", "notice")
    serializer_class = ConsentRecordOutputSerializer
    filterset_class = ConsentRecordFilter
    pagination_class = ConsentRecordPagination

    @document(
        summary="Export consent records as CSV or JSON (streamed)",
        description="One visitor's records (consent_id, following proven previous_consent_id "
        "links both ways, at most 100 records: a data-subject request) and/or a time range, "
        "oldest first. Pick the "
        "format with ?format=csv|json or the Accept header; CSV by default.",
        parameters=[ExportQuerySerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="A header row, then one row per record."
            ),
            (200, "application/json"): ExportRowSerializer(many=True),
        },
    )
    @action(
        detail=False,
        methods=["get"],
        renderer_classes=[CSVRenderer, JSONRenderer],
        filter_backends=[],
        pagination_class=None,
    )
    def export(self, request):
        query = ExportQuerySerializer(
            data=request.query_params, context=self.get_serializer_context()
        )
        query.is_valid(raise_exception=True)
        records = consent_records_for_export(**query.validated_data)
        fmt = request.accepted_renderer.format
        response = StreamingHttpResponse(
            export_stream(records, fmt=fmt), content_type=CONTENT_TYPES[fmt]
        )
        key = query.validated_data["container"].key
        response["Content-Disposition"] = f'attachment; filename="consent-records-{key}.{fmt}"'
        return response

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force=force)
        except Http404:
            if self.action != "export":
                raise
            # DRF answers an unknown ?format= with 404; it is bad input.
            raise exceptions.ValidationError({"format": ["Use csv or json."]}) from None

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors of the export are JSON, whichever format the export itself would have had.
        if self.action == "export" and not isinstance(response, StreamingHttpResponse):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


@extend_schema_view(
    list=document(summary="Fire events of your containers, newest first"),
    retrieve=document(summary="One fire event", parameters=[ID_PARAM]),
)
class FireEventViewSet(ListModelMixin, RetrieveModelMixin, ContainerScopedViewSet):
    """Tag fires as browsers reported them; paged by cursor, so deep pages stay cheap."""

    queryset = FireEvent.objects.select_related("container")
    serializer_class = FireEventOutputSerializer
    filterset_class = FireEventFilter
    pagination_class = FireEventPagination
