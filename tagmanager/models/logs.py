from django.db import models
from django.utils.translation import gettext_lazy as _


class FireEvent(models.Model):
    """One tag fire reported by a browser (or the pixel endpoint). High volume."""

    event_id = models.CharField(
        _("event id"),
        max_length=64,
        help_text=_("Client-generated; deduplicates within its container."),
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
            # Retention and reports across containers (superusers, members of several).
            models.Index(fields=["server_time"], name="tm_fire_time"),
            models.Index(fields=["tag_id", "server_time"], name="tm_fire_tag_time"),
            # Everything about one visitor (a data-subject request, the admin's search).
            models.Index(fields=["consent_id"], name="tm_fire_consent"),
        ]
        constraints = [
            # Per container: one site's ids must never swallow another's events. Event id
            # first, so that the index also serves look-ups by event id alone.
            models.UniqueConstraint(fields=["event_id", "container"], name="tm_fire_event_unique"),
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
