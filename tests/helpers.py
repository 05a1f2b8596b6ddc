import hashlib
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


def consent_secret(consent_id) -> str:
    """The secret a test browser kept for its decision ``consent_id`` (derived from the id, so
    that a test can prove a link to any decision it made)."""
    return hashlib.sha256(f"test browser secret {consent_id}".encode()).hexdigest()[:32]


def consent_proof(consent_id, previous=None) -> dict:
    """The link-proof fields of a decision as the runtime posts them: the sha256 of its secret,
    and the secret of the ``previous`` consent id (the proof that the same browser made it)."""
    secret = consent_secret(consent_id).encode()
    return {
        "secret_sha256": hashlib.sha256(secret).hexdigest(),
        "previous_secret": consent_secret(previous) if previous else None,
    }
