"""The tag, trigger and variable types this site offers, and the condition operators."""

from rest_framework.response import Response
from rest_framework.views import APIView

from tagmanager.api.base import ApiMixin
from tagmanager.api.schema import document
from tagmanager.api.serializers.types import (
    ConditionsSerializer,
    TagTypeSerializer,
    TypeSerializer,
)
from tagmanager.registry import tag_types, trigger_types, variable_types
from tagmanager.registry.conditions import OPERATORS
from tagmanager.registry.variables import BUILTIN_VARIABLES


class TagTypesView(ApiMixin, APIView):
    """Tag types with their parameters (any signed-in user)."""

    @document(summary="Tag types and their parameters", responses=TagTypeSerializer(many=True))
    def get(self, request):
        return Response(
            [
                {**kind.describe(), "runs_code": kind.runs_code, "event_names": kind.event_names}
                for kind in tag_types().values()
            ]
        )


class TriggerTypesView(ApiMixin, APIView):
    @document(summary="Trigger types and their parameters", responses=TypeSerializer(many=True))
    def get(self, request):
        return Response([kind.describe() for kind in trigger_types().values()])


class VariableTypesView(ApiMixin, APIView):
    @document(
        summary="User-defined variable types and their parameters",
        responses=TypeSerializer(many=True),
    )
    def get(self, request):
        return Response([kind.describe() for kind in variable_types().values()])


class ConditionsView(ApiMixin, APIView):
    @document(
        summary="Operators of trigger conditions, and the built-in variables",
        responses=ConditionsSerializer,
    )
    def get(self, request):
        return Response(
            {
                "operators": [{"slug": k, "label": v} for k, v in OPERATORS.items()],
                "builtin_variables": list(BUILTIN_VARIABLES),
            }
        )
