"""Benchmark data: containers, and consent records generated in PostgreSQL itself (fast)."""

import json
import time
import uuid
from datetime import timedelta

ORIGIN = "https://shop.example"
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)

# One statement, generated server-side: about a minute per million rows here, against hours
# for one ORM save per record. Inserts only, so the append-only trigger has nothing to refuse.
INSERT_RECORDS = """
INSERT INTO tagmanager_consentrecord
  (consent_id, previous_consent_id, container_id, revision, notice_id, categories, action,
   source, gpc, created_at, expires_at, page_url, user_agent, ip_truncated,
   seal_index, seal_hash, sealed_at)
SELECT gen_random_uuid(),
       CASE WHEN i %% 10 = 0 THEN gen_random_uuid() END,
       %(container)s, 1, %(notice)s,
       jsonb_build_object('necessary', true, 'preferences', i %% 2 = 0,
                          'analytics', i %% 3 = 0, 'marketing', i %% 5 = 0),
       (ARRAY['accept_all', 'reject_all', 'custom'])[1 + i %% 3], 'banner', i %% 17 = 0,
       %(start)s + i * interval '10 milliseconds',
       %(start)s + i * interval '10 milliseconds' + interval '180 days',
       'https://shop.example/products/' || (i %% 5000), %(agent)s,
       ('203.0.' || (i %% 256) || '.0')::inet,
       CASE WHEN %(sealed)s THEN %(base)s + i - 1 END,
       CASE WHEN %(sealed)s THEN encode(sha256(i::text::bytea), 'hex') ELSE '' END,
       CASE WHEN %(sealed)s THEN now() END
FROM generate_series(1, %(count)s) AS i
"""


def origins_allow(key: str = "demo", origin: str = ORIGIN) -> None:
    """Let ``origin`` post to the container (servers read origins through a cache: flush it)."""
    from tagmanager.models import Container

    container = Container.objects.get(key=key)
    if origin not in container.allowed_origins:
        container.allowed_origins = [*container.allowed_origins, origin]
        container.save(update_fields=["allowed_origins"])


def container_with_notice(key: str):
    """A container (created if missing) and a consent notice with the demo's texts."""
    from tagmanager.models import Container
    from tagmanager.services.consent import (
        consent_notice_get_or_create,
        notice_texts,
    )
    from tagmanager.services.containers import container_create

    container = Container.objects.filter(key=key).first() or container_create(
        name=f"Benchmark {key}", key=key, allowed_origins=[ORIGIN]
    )
    consent = Container.objects.get(key="demo").live_version.config["consent"]
    notice = consent_notice_get_or_create(
        container=container, revision=1, locale="en", texts=notice_texts(consent, "en")
    )
    return container, notice


def consent_records_generate(*, container, notice, count: int, sealed: bool) -> float:
    """Insert ``count`` records for the container; returns seconds taken."""
    from django.db import connection
    from django.utils import timezone

    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            INSERT_RECORDS,
            {
                "container": container.pk,
                "notice": notice.pk,
                "start": timezone.now() - timedelta(seconds=count / 100 + 60),
                "agent": USER_AGENT,
                "sealed": sealed,
                "base": container.chain_base_index,
                "count": count,
            },
        )
        cursor.execute("ANALYZE tagmanager_consentrecord")
    return time.monotonic() - started


def consent_body(*, version: int) -> bytes:
    return json.dumps(
        {
            "key": "demo",
            "version": version,
            "consent_id": str(uuid.uuid4()),
            "previous_consent_id": None,
            "revision": 1,
            "locale": "en",
            "categories": {"necessary": True, "analytics": True, "marketing": False},
            "action": "custom",
            "source": "banner",
            "gpc": False,
            "url": "https://shop.example/products/42",
        }
    ).encode()
