"""Daily roll-ups that reports read, so they stay fast however many raw rows there are.

The raw rows (fire events, consent records) are the truth; a roll-up day is recomputed from
them whole, and ``RollupDay`` says which days are done. Reports read roll-ups for those days and
aggregate the raw rows of the others (today, or every day where no beat runs).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FireEventDaily(models.Model):
    """Daily counts per tag, event and campaign, kept after the raw fire events are purged."""

    container = models.ForeignKey(
        "tagmanager.Container", on_delete=models.CASCADE, related_name="daily_counts"
    )
    day = models.DateField(_("day"))
    tag_id = models.BigIntegerField(_("tag"), default=0, help_text=_("0: no tag (pixel hits)."))
    event_name = models.CharField(_("event"), max_length=100, blank=True)
    utm_campaign = models.CharField(_("campaign"), max_length=200, blank=True)
    fires = models.PositiveBigIntegerField(_("fires"), default=0)
    value_total = models.DecimalField(_("value"), max_digits=20, decimal_places=4, default=0)
    consent_violations = models.PositiveBigIntegerField(_("consent violations"), default=0)
    outside_triggers = models.PositiveBigIntegerField(
        _("fires outside their triggers"),
        default=0,
        help_text=_("Fires whose trigger is not the tag's, or whose page fails its conditions."),
    )

    class Meta:
        ordering = ["-day"]
        verbose_name = _("daily fire count")
        constraints = [
            models.UniqueConstraint(
                fields=["container", "day", "tag_id", "event_name", "utm_campaign"],
                name="tm_daily_unique",
            ),
        ]

    def __str__(self):
        return f"{self.day} tag {self.tag_id} {self.event_name}: {self.fires}"


class FireDuplicateDaily(models.Model):
    """Fire events received again with an event id already stored (counted as they arrive)."""

    container = models.ForeignKey(
        "tagmanager.Container", on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    tag_id = models.BigIntegerField(_("tag"), default=0)
    duplicates = models.PositiveBigIntegerField(_("duplicates"), default=0)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("daily duplicate count")
        constraints = [
            models.UniqueConstraint(
                fields=["container", "day", "tag_id"], name="tm_duplicates_unique"
            ),
        ]

    def __str__(self):
        return f"{self.day} tag {self.tag_id}: {self.duplicates} duplicates"


class ConsentDaily(models.Model):
    """Consent decisions per day and action, with how many granted each category."""

    container = models.ForeignKey(
        "tagmanager.Container", on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    action = models.CharField(_("action"), max_length=16)
    records = models.PositiveBigIntegerField(_("decisions"), default=0)
    granted = models.JSONField(_("granted per category"), default=dict, blank=True)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("daily consent count")
        constraints = [
            models.UniqueConstraint(
                fields=["container", "day", "action"], name="tm_consent_daily_unique"
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.action}: {self.records}"


class RefusedDaily(models.Model):
    """Requests a public endpoint refused over a rate limit (429), per day and endpoint.

    Counted in the cache as they happen and taken in here by the roll-up task
    (``tagmanager.services.ratelimits.refused_counts_flush``): no database write per refusal.
    """

    container = models.ForeignKey(
        "tagmanager.Container", on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    door = models.CharField(_("endpoint"), max_length=16, help_text=_("collect, consent or pixel."))
    refused = models.PositiveBigIntegerField(_("refused requests"), default=0)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("daily refused request count")
        constraints = [
            models.UniqueConstraint(
                fields=["container", "day", "door"], name="tm_refused_daily_unique"
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.door}: {self.refused} refused"


class RollupDay(models.Model):
    """A UTC day whose roll-ups are complete for a container."""

    container = models.ForeignKey(
        "tagmanager.Container", on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    computed_at = models.DateTimeField(_("computed"))
    # Once the day's raw fire events are purged its fire roll-ups are the only record: late
    # events of the day are added to them, never recounted in their place.
    fires_purged = models.BooleanField(_("fire events purged"), default=False)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("rolled-up day")
        constraints = [
            models.UniqueConstraint(fields=["container", "day"], name="tm_rollup_day_unique"),
        ]

    def __str__(self):
        return f"{self.container_id} {self.day}"
