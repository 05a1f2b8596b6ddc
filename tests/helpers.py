from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def append_only_bypassed():
    """Let a test rewrite consent records (to age them, or to play an attacker with database
    access): on PostgreSQL, row triggers are switched off for this transaction only."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        yield
