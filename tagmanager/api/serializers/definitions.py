"""What marketers define in a container: consent categories, tags, triggers, variables.

Input serializers check the shape; the services check the meaning (type parameters, conditions,
references), with errors keyed the same way (``parameters.pixel_id``).
"""

from rest_framework import serializers

from tagmanager.api.fields import INT_MAX, ContainerKeyField, ReferenceField, TextsField
from tagmanager.models import ConsentCategory, Tag, Trigger, Variable
from tagmanager.models.consent import CONSENT_SIGNALS
from tagmanager.permissions import tag_type_runs_code
from tagmanager.services.categories import CATEGORY_FIELDS

_CONTAINER_HELP = "Key of one of your containers; fixed once created."


class _ContainerKeyOutput(serializers.ModelSerializer):
    container = serializers.SlugRelatedField(
        slug_field="key", read_only=True, help_text="Container key."
    )


class CategoryOutputSerializer(_ContainerKeyOutput):
    names = serializers.DictField(child=serializers.CharField())
    descriptions = serializers.DictField(child=serializers.CharField())
    consent_signals = serializers.ListField(child=serializers.CharField())
    cookies = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = ConsentCategory
        fields = ["id", "container", *CATEGORY_FIELDS]


class CategoryInputSerializer(serializers.Serializer):
    slug = serializers.RegexField(
        r"^[a-z0-9_]+$",
        max_length=50,
        error_messages={"invalid": "Use lowercase letters, digits and _ only (no hyphen)."},
    )
    names = TextsField(help_text='Per language, e.g. {"en": "Analytics"}.')
    descriptions = TextsField(default=dict)
    required = serializers.BooleanField(default=False, help_text="Always on; cannot be refused.")
    order = serializers.IntegerField(min_value=0, max_value=INT_MAX, default=0)
    consent_signals = serializers.ListField(
        child=serializers.ChoiceField(choices=CONSENT_SIGNALS), default=list, max_length=20
    )
    sale_or_sharing = serializers.BooleanField(
        default=False, help_text="Denied when the browser sends Global Privacy Control."
    )
    cookies = serializers.ListField(
        child=serializers.CharField(max_length=200),
        default=list,
        max_length=200,
        help_text='Deleted on withdrawal, e.g. ["_ga", "_ga_*"].',
    )


class CategoryCreateSerializer(CategoryInputSerializer):
    container = ContainerKeyField(help_text=_CONTAINER_HELP)


class TagOutputSerializer(_ContainerKeyOutput):
    parameters = serializers.DictField()
    categories = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    firing_triggers = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    blocking_triggers = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    runs_code = serializers.SerializerMethodField(
        help_text="Whether the tag runs code on the site (custom HTML, script)."
    )

    class Meta:
        model = Tag
        fields = [
            "id",
            "container",
            "name",
            "tag_type",
            "parameters",
            "categories",
            "firing_triggers",
            "blocking_triggers",
            "fire_limit",
            "priority",
            "enabled",
            "runs_code",
            "updated_at",
        ]

    def get_runs_code(self, obj) -> bool:
        return tag_type_runs_code(obj.tag_type)


def _references(help_text: str, **kwargs):
    return serializers.ListField(
        child=ReferenceField(), max_length=100, help_text=help_text, **kwargs
    )


class TagInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    tag_type = serializers.CharField(max_length=50, help_text="A slug of GET types/tags/.")
    parameters = serializers.DictField(
        default=dict, help_text="The type's parameters; see GET types/tags/."
    )
    categories = _references(
        "Consent categories (slug or id), ALL needed for the tag to fire.", allow_empty=False
    )
    firing_triggers = _references("Triggers (name or id) that fire the tag.", default=list)
    blocking_triggers = _references("Triggers (name or id) that stop it.", default=list)
    fire_limit = serializers.ChoiceField(
        choices=Tag.FireLimit.choices, default=Tag.FireLimit.UNLIMITED
    )
    priority = serializers.IntegerField(min_value=-INT_MAX, max_value=INT_MAX, default=0)
    enabled = serializers.BooleanField(default=True)


class TagCreateSerializer(TagInputSerializer):
    container = ContainerKeyField(help_text=_CONTAINER_HELP)


class TriggerOutputSerializer(_ContainerKeyOutput):
    parameters = serializers.DictField()
    conditions = serializers.ListField(child=serializers.DictField())

    class Meta:
        model = Trigger
        fields = [
            "id",
            "container",
            "name",
            "trigger_type",
            "parameters",
            "conditions",
            "updated_at",
        ]


class TriggerInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    trigger_type = serializers.CharField(max_length=50, help_text="A slug of GET types/triggers/.")
    parameters = serializers.DictField(default=dict)
    conditions = serializers.ListField(
        child=serializers.DictField(),
        default=list,
        max_length=100,
        help_text='All must hold: [{"variable": "page_path", "operator": "starts_with", '
        '"value": "/checkout"}]; operators at GET types/conditions/.',
    )


class TriggerCreateSerializer(TriggerInputSerializer):
    container = ContainerKeyField(help_text=_CONTAINER_HELP)


class VariableOutputSerializer(_ContainerKeyOutput):
    parameters = serializers.DictField()

    class Meta:
        model = Variable
        fields = ["id", "container", "name", "variable_type", "parameters", "updated_at"]


class VariableInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64, help_text="Used as {{name}}.")
    variable_type = serializers.CharField(
        max_length=50, help_text="A slug of GET types/variables/."
    )
    parameters = serializers.DictField(default=dict)


class VariableCreateSerializer(VariableInputSerializer):
    container = ContainerKeyField(help_text=_CONTAINER_HELP)
