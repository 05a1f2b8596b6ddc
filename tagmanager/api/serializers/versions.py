from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tagmanager.models import ContainerVersion


class VersionOutputSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="Who published it."
    )
    rollback_of = serializers.SerializerMethodField(
        help_text="Number of the version this one published again, for a rollback."
    )
    live = serializers.SerializerMethodField(help_text="Whether visitors get this version.")

    class Meta:
        model = ContainerVersion
        fields = ["number", "notes", "author", "created_at", "rollback_of", "content_hash", "live"]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_rollback_of(self, obj) -> int | None:
        return obj.rollback_of.number if obj.rollback_of_id else None

    def get_live(self, obj) -> bool:
        return obj.container.live_version_id == obj.pk


class PublishedSerializer(VersionOutputSerializer):
    warnings = serializers.SerializerMethodField(
        help_text="What keeps the container from working on its site although it is published "
        "(e.g. no allowed origins: every consent decision and beacon would be refused)."
    )

    class Meta(VersionOutputSerializer.Meta):
        fields = [*VersionOutputSerializer.Meta.fields, "warnings"]

    def get_warnings(self, obj) -> list[str]:
        from tagmanager.selectors import container_setup_warnings

        return container_setup_warnings(container=obj.container)


class VersionDetailSerializer(VersionOutputSerializer):
    config = serializers.DictField(help_text="The configuration the loader serves.")

    class Meta(VersionOutputSerializer.Meta):
        fields = [*VersionOutputSerializer.Meta.fields, "config"]


class PublishInputSerializer(serializers.Serializer):
    notes = serializers.CharField(
        max_length=10_000, allow_blank=True, default="", help_text="What changed, and why."
    )


class PublishProblemsSerializer(serializers.Serializer):
    """A draft that cannot be published: ``detail`` and every problem; bad input instead
    answers like any other 400 (reasons keyed by field)."""

    detail = serializers.CharField(required=False)
    problems = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Every problem of the draft, as sentences naming the tag, trigger ...",
    )


# The diff's shape (tagmanager.loader.diff.config_diff), spelled out for the schema.
@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}]})
class _NumberOrText(serializers.JSONField):
    pass


class DiffItemSerializer(serializers.Serializer):
    key = _NumberOrText(help_text="Tag/trigger id, variable name or category slug.")
    name = serializers.CharField()


class DiffChangeSerializer(DiffItemSerializer):
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.JSONField(), min_length=2, max_length=2),
        help_text="Each changed field: [before, after].",
    )


class DiffSectionSerializer(serializers.Serializer):
    added = DiffItemSerializer(many=True)
    removed = DiffItemSerializer(many=True)
    changed = DiffChangeSerializer(many=True)


class DiffSerializer(serializers.Serializer):
    base = serializers.IntegerField(
        allow_null=True, help_text="Version compared against (null: nothing published)."
    )
    target = _NumberOrText(help_text='Version number, or "draft".')
    tags = DiffSectionSerializer()
    triggers = DiffSectionSerializer()
    variables = DiffSectionSerializer()
    categories = DiffSectionSerializer()
    settings = serializers.DictField(
        child=serializers.ListField(child=serializers.JSONField(), min_length=2, max_length=2),
        help_text="Changed consent settings: [before, after].",
    )
    empty = serializers.BooleanField(help_text="Whether nothing changed.")


class DiffQuerySerializer(serializers.Serializer):
    against = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="Version number to compare with (default: the version before).",
    )
