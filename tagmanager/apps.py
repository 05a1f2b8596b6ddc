from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TagManagerConfig(AppConfig):
    name = "tagmanager"
    verbose_name = _("Tag manager")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from tagmanager import checks, conf  # noqa: F401  (registers checks and signal receivers)
