"""Celery tasks: thin wrappers that take plain data and call services or selectors."""

from celery import shared_task

from tagmanager.selectors import health_status


@shared_task(name="tagmanager.health_check")
def health_check() -> dict:
    return health_status()
