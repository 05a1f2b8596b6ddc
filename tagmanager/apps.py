from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TagManagerConfig(AppConfig):
    name = "tagmanager"
    verbose_name = _("Tag manager")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.apps import apps

        # Registers the system checks and the signal receivers.
        from tagmanager import checks, conf, signals  # noqa: F401

        if apps.is_installed("django.contrib.admin"):
            from django.contrib import admin

            from tagmanager.admin.login import throttle_login

            throttle_login(admin.site)  # the admin's sign-in is rate limited (LOGIN_FAILURE_LIMIT)
