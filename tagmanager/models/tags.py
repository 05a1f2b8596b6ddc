from django.db import models
from django.utils.translation import gettext_lazy as _

from tagmanager.models.querysets import ContainerScopedQuerySet, TagQuerySet


class Trigger(models.Model):
    """When tags fire: a trigger type with its parameters, plus conditions on variables."""

    container = models.ForeignKey(
        "tagmanager.Container", on_delete=models.CASCADE, related_name="triggers"
    )
    name = models.CharField(_("name"), max_length=200)
    trigger_type = models.CharField(_("type"), max_length=50)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    conditions = models.JSONField(
        _("conditions"),
        default=list,
        blank=True,
        help_text=_(
            'All must hold, e.g. [{"variable": "page_path", "operator": "starts_with", '
            '"value": "/checkout"}].'
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ContainerScopedQuerySet.as_manager()

    class Meta:
        ordering = ["container", "name"]
        verbose_name = _("trigger")
        constraints = [
            models.UniqueConstraint(fields=["container", "name"], name="tm_trigger_name_unique"),
        ]

    def __str__(self):
        return self.name


class Variable(models.Model):
    """A user-defined value for conditions and ``{{name}}`` in tag parameters."""

    container = models.ForeignKey(
        "tagmanager.Container", on_delete=models.CASCADE, related_name="variables"
    )
    name = models.CharField(
        _("name"), max_length=64, help_text=_("Used as {{name}}; letters, digits and _.")
    )
    variable_type = models.CharField(_("type"), max_length=50)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ContainerScopedQuerySet.as_manager()

    class Meta:
        ordering = ["container", "name"]
        verbose_name = _("variable")
        constraints = [
            models.UniqueConstraint(fields=["container", "name"], name="tm_variable_name_unique"),
        ]

    def __str__(self):
        return self.name


class Tag(models.Model):
    """A pixel or script, fired by triggers once its consent categories are all granted."""

    class FireLimit(models.TextChoices):
        UNLIMITED = "unlimited", _("Every time a trigger matches")
        PAGE = "page", _("Once per page")
        SESSION = "session", _("Once per session")
        VISITOR = "visitor", _("Once per visitor")

    container = models.ForeignKey(
        "tagmanager.Container", on_delete=models.CASCADE, related_name="tags"
    )
    name = models.CharField(_("name"), max_length=200)
    tag_type = models.CharField(_("type"), max_length=50)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    categories = models.ManyToManyField(
        "tagmanager.ConsentCategory",
        verbose_name=_("consent categories"),
        related_name="tags",
        help_text=_("The tag fires only when the visitor granted ALL of these."),
    )
    firing_triggers = models.ManyToManyField(
        Trigger, verbose_name=_("firing triggers"), related_name="fired_tags", blank=True
    )
    blocking_triggers = models.ManyToManyField(
        Trigger,
        verbose_name=_("blocking triggers"),
        related_name="blocked_tags",
        blank=True,
        help_text=_("The tag does not fire on an event that matches any of these."),
    )
    fire_limit = models.CharField(
        _("fire limit"), max_length=16, choices=FireLimit.choices, default=FireLimit.UNLIMITED
    )
    priority = models.IntegerField(
        _("priority"), default=0, help_text=_("Higher fires first on the same event.")
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TagQuerySet.as_manager()

    class Meta:
        ordering = ["container", "-priority", "name"]
        verbose_name = _("tag")
        permissions = [
            ("change_code_tags", _("Can add and change tags that run code (custom HTML, scripts)"))
        ]
        constraints = [
            models.UniqueConstraint(fields=["container", "name"], name="tm_tag_name_unique"),
        ]

    def __str__(self):
        return self.name
