"""Many visitors deciding at once: every decision is stored, on SQLite too."""

import json
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client

from tagmanager.models import ConsentRecord
from tagmanager.services.demo import demo_container_ensure

THREADS, EACH = 8, 250


@pytest.mark.django_db(transaction=True)
def test_concurrent_consent_posts_are_all_stored(settings):
    # Not a test of the rate limits: one client may post this many here.
    settings.TAGMANAGER = {
        **settings.TAGMANAGER,
        "RATE_LIMIT_CONSENT_CLIENT": None,
        "RATE_LIMIT_CONSENT_CONTAINER": None,
    }
    demo = demo_container_ensure()
    version = demo.live_version.number
    statuses, problems = [], []

    def decide():
        client = Client()
        try:
            for _ in range(EACH):
                body = {
                    "key": demo.key,
                    "version": version,
                    "consent_id": str(uuid.uuid4()),
                    "categories": {"necessary": True, "analytics": True, "marketing": False},
                    "action": "custom",
                    "source": "banner",
                    "url": "http://localhost:8000/",
                }
                answer = client.post(
                    "/tm/consent",
                    json.dumps(body),
                    content_type="text/plain",
                    HTTP_ORIGIN="http://localhost:8000",
                )
                statuses.append(answer.status_code)
                if answer.status_code != 201:
                    problems.append(answer.content[:200])
        finally:
            connection.close()

    threads = [threading.Thread(target=decide) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert problems == []
    assert statuses.count(201) == THREADS * EACH
    assert ConsentRecord.objects.count() == THREADS * EACH
