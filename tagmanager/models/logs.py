from django.db import models
from django.utils.translation import gettext_lazy as _


class FireEvent(models.Model):
    """One tag fire reported by a browser (or the pixel endpoint). High volume."""

    event_id = models.CharField(
        _("event id"), max_length=64, unique=True, help_text=_("Client-generated; deduplicates.")
    )
    container = models.ForeignKey(
        "tagmanager.Container", on_delete=models.CASCADE, related_name="fire_events"
    )
    # Plain ids rather than foreign keys: deleting a tag must not rewrite history.
    tag_id = models.BigIntegerField(_("tag"), null=True, blank=True)
    trigger_id = models.BigIntegerField(_("trigger"), null=True, blank=True)
    consent_id = models.UUIDField(_("consent id"), null=True, blank=True)
    categories = models.JSONField(_("granted categories"), default=list, blank=True)
    consent_violation = models.BooleanField(_("consent violation"), default=False)
    event_name = models.CharField(_("event"), max_length=100, blank=True)
    page_url = models.CharField(_("page URL"), max_length=2048, blank=True)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    utm = models.JSONField(_("campaign (utm_*)"), default=dict, blank=True)
    recipient = models.CharField(
        _("recipient"), max_length=100, blank=True, help_text=_("From the pixel's r= parameter.")
    )
    client_time = models.DateTimeField(_("client time"), null=True, blank=True)
    server_time = models.DateTimeField(_("server time"), auto_now_add=True)

    class Meta:
        ordering = ["-server_time"]
        verbose_name = _("fire event")
        indexes = [
            models.Index(fields=["container", "server_time"], name="tm_fire_container_time"),
            models.Index(fields=["tag_id", "server_time"], name="tm_fire_tag_time"),
        ]

    def __str__(self):
        return f"{self.event_name or 'fire'} {self.event_id}"


class DeadLetter(models.Model):
    """An event that could not be stored, with the reason; kept for inspection."""

    container = models.ForeignKey(
        "tagmanager.Container", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    payload = models.JSONField(_("payload"))
    reason = models.CharField(_("reason"), max_length=500)
    received_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("dead letter")

    def __str__(self):
        return self.reason


class FireEventDaily(models.Model):
    """Daily per-tag counts, kept after the raw fire events are purged."""

    container = models.ForeignKey(
        "tagmanager.Container", on_delete=models.CASCADE, related_name="daily_counts"
    )
    day = models.DateField(_("day"))
    tag_id = models.BigIntegerField(_("tag"), default=0, help_text=_("0: no tag (pixel hits)."))
    event_name = models.CharField(_("event"), max_length=100, blank=True)
    fires = models.PositiveBigIntegerField(_("fires"), default=0)
    value_total = models.DecimalField(_("value"), max_digits=20, decimal_places=4, default=0)
    consent_violations = models.PositiveBigIntegerField(_("consent violations"), default=0)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("daily fire count")
        constraints = [
            models.UniqueConstraint(
                fields=["container", "day", "tag_id", "event_name"], name="tm_daily_unique"
            ),
        ]

    def __str__(self):
        return f"{self.day} tag {self.tag_id} {self.event_name}: {self.fires}"
