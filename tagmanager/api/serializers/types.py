"""The type registries as data (``BaseType.describe()``), so integrators can discover
parameters instead of guessing them."""

from rest_framework import serializers


class ParamSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField(
        help_text="text, url, id, int, decimal, bool, choice, html, selector, mapping or int_list."
    )
    required = serializers.BooleanField()
    default = serializers.JSONField(allow_null=True)
    help_text = serializers.CharField(allow_blank=True)
    choices = serializers.ListField(child=serializers.JSONField())


class TypeSerializer(serializers.Serializer):
    slug = serializers.CharField()
    label = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    params = ParamSerializer(many=True)


class TagTypeSerializer(TypeSerializer):
    runs_code = serializers.BooleanField(
        help_text="Needs the permission tagmanager.change_code_tags to create or change."
    )
    event_names = serializers.DictField(
        child=serializers.CharField(), help_text="Standard event: the vendor's own name."
    )


class OperatorSerializer(serializers.Serializer):
    slug = serializers.CharField()
    label = serializers.CharField()


class ConditionsSerializer(serializers.Serializer):
    operators = OperatorSerializer(many=True)
    builtin_variables = serializers.ListField(
        child=serializers.CharField(),
        help_text=(
            "Always available; event.<field> reads a field of the current event, and any "
            "utm_<name> the page's query parameter of that name."
        ),
    )
