"""Cache invalidation on change: a container's allowed origins act at once, whichever way
(admin, API, services, a shell) the container was saved or deleted."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tagmanager.models import Container


@receiver(post_save, sender=Container, dispatch_uid="tagmanager-ingest-meta-saved")
@receiver(post_delete, sender=Container, dispatch_uid="tagmanager-ingest-meta-deleted")
def container_changed(sender, instance: Container, **kwargs):
    from tagmanager.selectors import container_ingest_meta_refresh

    key = instance.key
    transaction.on_commit(lambda: container_ingest_meta_refresh(key=key))
