import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tagmanager.models import validators
from tagmanager.models.querysets import ContainerQuerySet

# Kept importable here: migration 0006 names it.
validate_origins = validators.validate_origins


def new_container_key() -> str:
    return secrets.token_urlsafe(9)


def default_banner_texts() -> dict:
    return {
        "en": {
            "title": "We value your privacy",
            "description": "We use cookies and similar tools to run this site, to measure "
            "its use and for marketing. Choose which ones you allow; you can change your "
            "mind at any time.",
            "accept_all": "Accept all",
            "reject_all": "Reject all",
            "save": "Save choices",
            "preferences": "Choose",
            "settings_button": "Privacy settings",
            "gpc_notice": "Your browser's Global Privacy Control signal is honoured: "
            "marketing stays off.",
        }
    }


class Container(models.Model):
    """One website or property; visitors load it with one script tag."""

    name = models.CharField(_("name"), max_length=200)
    key = models.SlugField(
        _("public key"),
        max_length=64,
        unique=True,
        default=new_container_key,
        help_text=_("Appears in the loader URL /tm/<key>.js. Letters, digits, - and _."),
    )
    allowed_origins = models.JSONField(
        _("allowed origins"),
        default=list,
        blank=True,
        validators=[validators.validate_origins],
        help_text=_(
            'Sites allowed to send events, e.g. ["https://www.example.com"]. '
            "Scheme, host and port, no path."
        ),
    )
    revision = models.PositiveIntegerField(
        _("consent policy revision"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("Raise it when the policy changes: every visitor is asked again."),
    )
    consent_lifetime_days = models.PositiveIntegerField(
        _("consent lifetime (days)"),
        default=180,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("After this many days the visitor is asked again."),
    )
    default_locale = models.CharField(
        _("default language"), max_length=16, default="en", validators=[validators.validate_locale]
    )
    banner_texts = models.JSONField(
        _("banner texts"),
        default=default_banner_texts,
        blank=True,
        help_text=_("Per language: title, description, accept_all, reject_all, save, preferences."),
        validators=[validators.validate_banner_texts],
    )
    honour_gpc = models.BooleanField(
        _("honour Global Privacy Control"),
        default=True,
        help_text=_("Visitors whose browser sends GPC keep sale/sharing categories denied."),
    )
    consent_mode_defaults = models.JSONField(
        _("Consent Mode region defaults"),
        default=list,
        blank=True,
        help_text=_(
            "Extra Google Consent Mode v2 defaults per region, e.g. "
            '[{"region": ["US-CA"], "analytics_storage": "granted"}]. '
            "Everything is denied by default."
        ),
        validators=[validators.validate_consent_mode_defaults],
    )
    cookie_domain = models.CharField(
        _("consent cookie domain"),
        max_length=253,
        blank=True,
        help_text=_("e.g. .example.com to share consent across subdomains; empty = this host."),
        validators=[validators.validate_cookie_domain],
    )
    live_version = models.ForeignKey(
        "tagmanager.ContainerVersion",
        verbose_name=_("live version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        blank=True,
        related_name="tagmanager_containers",
    )
    # Where the consent hash chain starts once retention has purged its oldest records.
    chain_base_index = models.PositiveBigIntegerField(default=0, editable=False)
    chain_base_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ContainerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("container")
        permissions = [("publish_container", _("Can publish and roll back versions"))]

    def __str__(self):
        return f"{self.name} ({self.key})"


class ContainerVersion(models.Model):
    """Immutable published snapshot of a container: what the loader serves."""

    container = models.ForeignKey(Container, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    config = models.JSONField(_("configuration"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    notes = models.TextField(_("notes"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The author's name as it was: the proof of who published outlives the user account.
    author_name = models.CharField(_("published by"), max_length=150, blank=True)
    rollback_of = models.ForeignKey(
        "self",
        verbose_name=_("rollback of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The older version this one republished, for a rollback."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["container", "-number"]
        verbose_name = _("container version")
        constraints = [
            models.UniqueConstraint(
                fields=["container", "number"], name="tm_version_number_unique"
            ),
        ]

    def __str__(self):
        return f"{self.container.key} v{self.number}"
