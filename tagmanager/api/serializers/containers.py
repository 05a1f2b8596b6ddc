from django.core.validators import RegexValidator
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tagmanager.api.fields import INT_MAX, KEY, OriginField
from tagmanager.models import Container, validators

# Longest consent lifetime accepted: ten years, far past any regulator's advice.
MAX_LIFETIME_DAYS = 3650


class ContainerOutputSerializer(serializers.ModelSerializer):
    allowed_origins = serializers.ListField(child=serializers.CharField())
    banner_texts = serializers.DictField(child=serializers.DictField(child=serializers.CharField()))
    consent_mode_defaults = serializers.ListField(child=serializers.DictField())
    live_version = serializers.SerializerMethodField(help_text="Number of the live version.")
    loader_url = serializers.SerializerMethodField(help_text="The script tag's src.")

    class Meta:
        model = Container
        fields = [
            "id",
            "key",
            "name",
            "allowed_origins",
            "revision",
            "consent_lifetime_days",
            "default_locale",
            "banner_texts",
            "honour_gpc",
            "consent_mode_defaults",
            "cookie_domain",
            "live_version",
            "loader_url",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_live_version(self, obj) -> int | None:
        return obj.live_version.number if obj.live_version_id else None

    def get_loader_url(self, obj) -> str:
        url = reverse("tagmanager:loader", args=[obj.key])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class ContainerInputSerializer(serializers.Serializer):
    """A container's settings. On update, fields left out keep their values."""

    name = serializers.CharField(max_length=200)
    key = serializers.CharField(
        max_length=64,
        required=False,
        validators=[RegexValidator(f"^{KEY.pattern}$", "Use letters, digits, - and _.")],
        help_text="Public key in the loader URL; generated when left out.",
    )
    allowed_origins = serializers.ListField(
        child=OriginField(),
        required=False,
        max_length=200,
        help_text="Sites allowed to send events, such as https://www.example.com.",
    )
    revision = serializers.IntegerField(
        min_value=1,
        max_value=INT_MAX,
        required=False,
        help_text="Consent policy revision; raising it asks every visitor again.",
    )
    consent_lifetime_days = serializers.IntegerField(
        min_value=1, max_value=MAX_LIFETIME_DAYS, required=False
    )
    default_locale = serializers.RegexField(
        f"^{validators.LOCALE.pattern}$", max_length=16, required=False
    )
    banner_texts = serializers.DictField(
        child=serializers.DictField(
            child=serializers.CharField(allow_blank=True, max_length=10_000, trim_whitespace=False)
        ),
        required=False,
        help_text='Per language: {"en": {"title": "…", "accept_all": "…", …}}.',
    )
    honour_gpc = serializers.BooleanField(required=False)
    consent_mode_defaults = serializers.ListField(
        child=serializers.DictField(validators=[validators.validate_consent_mode_default]),
        required=False,
        max_length=100,
        help_text='e.g. [{"region": ["US-CA"], "analytics_storage": "granted"}].',
    )
    cookie_domain = serializers.RegexField(
        f"^({validators.DOMAIN.pattern})?$", max_length=253, allow_blank=True, required=False
    )

    def validate_banner_texts(self, value):
        validators.validate_banner_texts(value)
        return value


class ContainerCreateSerializer(ContainerInputSerializer):
    default_categories = serializers.BooleanField(
        default=True,
        help_text="Create the usual four consent categories (necessary, preferences, "
        "analytics, marketing).",
    )
