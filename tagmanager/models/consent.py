import uuid

from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tagmanager.models.querysets import ContainerScopedQuerySet

# Google Consent Mode v2 signals a category may grant.
CONSENT_SIGNALS = (
    "ad_storage",
    "ad_user_data",
    "ad_personalization",
    "analytics_storage",
    "functionality_storage",
    "personalization_storage",
    "security_storage",
)


class ConsentCategory(models.Model):
    """A purpose the visitor can allow or refuse: necessary, analytics, marketing ..."""

    container = models.ForeignKey(
        "tagmanager.Container", on_delete=models.CASCADE, related_name="categories"
    )
    slug = models.CharField(
        _("slug"),
        max_length=50,
        help_text=_("e.g. analytics: lowercase letters, digits and _."),
        # "-" separates slugs in the consent cookie, so it cannot be part of one.
        validators=[
            RegexValidator(
                r"^[a-z0-9_]+$", _("Use lowercase letters, digits and _ only (no hyphen).")
            )
        ],
    )
    names = models.JSONField(
        _("names"), default=dict, help_text=_('Per language, e.g. {"en": "Analytics"}.')
    )
    descriptions = models.JSONField(
        _("descriptions"), default=dict, blank=True, help_text=_("Per language.")
    )
    required = models.BooleanField(
        _("required"), default=False, help_text=_("Always on; the visitor cannot refuse it.")
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    consent_signals = models.JSONField(
        _("Consent Mode signals"),
        default=list,
        blank=True,
        help_text=_(
            "Google Consent Mode v2 signals granted with this category, e.g. "
            '["analytics_storage"] or ["ad_storage", "ad_user_data", "ad_personalization"].'
        ),
    )
    sale_or_sharing = models.BooleanField(
        _("sale or sharing of data"),
        default=False,
        help_text=_("Denied when the visitor's browser sends Global Privacy Control."),
    )
    cookies = models.JSONField(
        _("cookies"),
        default=list,
        blank=True,
        help_text=_('Cookie names set by its tags, deleted on withdrawal, e.g. ["_ga", "_fbp"].'),
    )

    objects = ContainerScopedQuerySet.as_manager()

    class Meta:
        ordering = ["container", "order", "slug"]
        verbose_name = _("consent category")
        verbose_name_plural = _("consent categories")
        constraints = [
            models.UniqueConstraint(fields=["container", "slug"], name="tm_category_slug_unique"),
        ]

    def __str__(self):
        return self.names.get("en") or next(iter(self.names.values()), self.slug)


class ConsentNotice(models.Model):
    """The exact banner and category texts a visitor was shown, stored once."""

    container = models.ForeignKey(
        "tagmanager.Container", on_delete=models.PROTECT, related_name="notices"
    )
    revision = models.PositiveIntegerField()
    locale = models.CharField(max_length=16)
    texts = models.JSONField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consent notice")
        constraints = [
            models.UniqueConstraint(fields=["container", "sha256"], name="tm_notice_hash_unique"),
        ]

    def __str__(self):
        return f"{self.container_id} r{self.revision} {self.locale} {self.sha256[:12]}"


class ConsentRecord(models.Model):
    """Proof of one consent decision. Append-only."""

    class Action(models.TextChoices):
        ACCEPT_ALL = "accept_all", _("Accept all")
        REJECT_ALL = "reject_all", _("Reject all")
        CUSTOM = "custom", _("Custom choice")
        WITHDRAW = "withdraw", _("Withdrawal")
        GPC = "gpc", _("Global Privacy Control")

    class Source(models.TextChoices):
        BANNER = "banner", _("Banner")
        PREFERENCES = "preferences", _("Preferences")
        API = "api", _("JavaScript API")
        GPC = "gpc", _("Global Privacy Control")

    consent_id = models.UUIDField(_("consent id"), default=uuid.uuid4, db_index=True)
    previous_consent_id = models.UUIDField(_("previous consent id"), null=True, blank=True)
    container = models.ForeignKey(
        "tagmanager.Container", on_delete=models.PROTECT, related_name="consent_records"
    )
    revision = models.PositiveIntegerField(_("policy revision"))
    notice = models.ForeignKey(ConsentNotice, on_delete=models.PROTECT, related_name="records")
    categories = models.JSONField(_("categories"), help_text=_("slug: granted (true/false)"))
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    gpc = models.BooleanField(_("GPC seen"), default=False)
    created_at = models.DateTimeField(
        _("server time (UTC)"), default=timezone.now, editable=False, db_index=True
    )
    expires_at = models.DateTimeField(_("expires"))
    page_url = models.URLField(_("page URL"), max_length=2048, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=512, blank=True)
    ip_truncated = models.GenericIPAddressField(_("IP (truncated)"), null=True, blank=True)
    # Link proof (see services.export.previous_proven): the sha256 of the random secret the
    # browser kept for this decision, and of the secret it presented for the previous one.
    # Never a secret itself.
    # (db_default: rows written by SQL without them, e.g. the benchmarks', hold no proof.)
    secret_sha256 = models.CharField(
        _("sha256 of this decision's secret"), max_length=64, blank=True, default="", db_default=""
    )
    previous_secret_sha256 = models.CharField(
        _("sha256 of the secret presented for the previous decision"),
        max_length=64,
        blank=True,
        default="",
        db_default="",
    )
    # Hash chain, filled by the sealing job.
    seal_index = models.PositiveBigIntegerField(null=True, blank=True)
    seal_hash = models.CharField(max_length=64, blank=True)
    sealed_at = models.DateTimeField(null=True, blank=True)

    objects = ContainerScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("consent record")
        indexes = [
            models.Index(fields=["container", "created_at"], name="tm_consent_container_time"),
            models.Index(fields=["container", "seal_index"], name="tm_consent_chain"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["container", "seal_index"], name="tm_consent_seal_unique"
            ),
            # A resent decision is the same record, even when two copies race.
            models.UniqueConstraint(
                fields=["container", "consent_id"], name="tm_consent_id_unique"
            ),
        ]

    def __str__(self):
        return f"{self.consent_id} {self.action}"
