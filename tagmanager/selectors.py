"""Reads shared by views, the API, the admin and reports."""

from django.db import connection

from tagmanager.models import Container


def health_status() -> dict:
    """What a worker (or a probe) can see: the database answers, and how many containers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"database": connection.vendor, "containers": Container.objects.count()}
