"""Logs the API only reads: consent records (proof of consent) and fire events."""

from rest_framework import serializers

from tagmanager.api.fields import ContainerKeyField
from tagmanager.models import ConsentRecord, FireEvent


class NoticeSerializer(serializers.Serializer):
    locale = serializers.CharField()
    sha256 = serializers.CharField()
    texts = serializers.DictField(help_text="Exactly what the visitor was shown.")


class ConsentRecordOutputSerializer(serializers.ModelSerializer):
    container = serializers.SlugRelatedField(
        slug_field="key", read_only=True, help_text="Container key."
    )
    categories = serializers.DictField(child=serializers.BooleanField())
    notice = NoticeSerializer()
    page_url = serializers.CharField(help_text="The page, without its query string.")

    class Meta:
        model = ConsentRecord
        fields = [
            "id",
            "consent_id",
            "previous_consent_id",
            "container",
            "revision",
            "action",
            "source",
            "gpc",
            "categories",
            "created_at",
            "expires_at",
            "page_url",
            "user_agent",
            "ip_truncated",
            "notice",
            "seal_index",
            "seal_hash",
        ]


class ExportRowSerializer(serializers.Serializer):
    """One record as ``tagmanager.services.export`` writes it (CSV columns, JSON objects)."""

    consent_id = serializers.CharField()
    previous_consent_id = serializers.CharField(allow_blank=True)
    previous_proven = serializers.BooleanField(
        help_text="Whether the browser proved that it made the previous decision too."
    )
    created_at = serializers.CharField()
    expires_at = serializers.CharField()
    revision = serializers.IntegerField()
    action = serializers.CharField()
    source = serializers.CharField()
    gpc = serializers.BooleanField()
    categories = serializers.DictField(child=serializers.BooleanField())
    page_url = serializers.CharField(allow_blank=True)
    user_agent = serializers.CharField(allow_blank=True)
    ip_truncated = serializers.CharField(allow_blank=True)
    notice_locale = serializers.CharField()
    notice_sha256 = serializers.CharField()
    notice_texts = serializers.DictField()
    seal_index = serializers.IntegerField(allow_null=True)
    seal_hash = serializers.CharField(allow_blank=True)


class ExportQuerySerializer(serializers.Serializer):
    container = ContainerKeyField(help_text="Key of one of your containers.")
    consent_id = serializers.UUIDField(
        required=False,
        help_text="A visitor's consent id: their records, following proven "
        "previous_consent_id links both ways, at most 100 records (a data-subject request).",
    )
    since = serializers.DateTimeField(
        required=False, help_text="From this time (UTC when no offset is given), inclusive."
    )
    until = serializers.DateTimeField(required=False, help_text="Up to this time, exclusive.")

    def validate(self, attrs):
        since, until = attrs.get("since"), attrs.get("until")
        if since and until and since >= until:
            raise serializers.ValidationError({"until": ["Must be later than since."]})
        return attrs


class FireEventOutputSerializer(serializers.ModelSerializer):
    container = serializers.SlugRelatedField(
        slug_field="key", read_only=True, help_text="Container key."
    )
    categories = serializers.ListField(child=serializers.CharField())
    utm = serializers.DictField(child=serializers.CharField())
    value = serializers.DecimalField(
        max_digits=14, decimal_places=4, coerce_to_string=True, allow_null=True, read_only=True
    )

    class Meta:
        model = FireEvent
        fields = [
            "id",
            "event_id",
            "container",
            "tag_id",
            "trigger_id",
            "event_name",
            "consent_id",
            "categories",
            "consent_violation",
            "page_url",
            "value",
            "currency",
            "utm",
            "recipient",
            "client_time",
            "server_time",
        ]
