from django.db import models


class ContainerScopedQuerySet(models.QuerySet):
    def for_container(self, container):
        return self.filter(container=container)


class TagQuerySet(ContainerScopedQuerySet):
    def enabled(self):
        return self.filter(enabled=True)


class ContainerQuerySet(models.QuerySet):
    def published(self):
        return self.filter(live_version__isnull=False)

    def for_user(self, user):
        if user.is_superuser:
            return self
        return self.filter(members=user)
