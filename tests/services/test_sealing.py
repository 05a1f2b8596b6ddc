import json
import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from tagmanager.models import ConsentRecord
from tagmanager.payloads import consent_parse
from tagmanager.services.consent import consent_record_create
from tagmanager.services.demo import demo_container_ensure
from tagmanager.services.sealing import (
    consent_chain_seal,
    consent_chain_verify,
    consent_chains_seal,
    record_content,
)
from tests.helpers import append_only_bypassed, consent_proof

pytestmark = pytest.mark.django_db
on_postgres = connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _seal_at_once(settings):
    """These tests seal records they have just written (no grace period to wait out)."""
    settings.TAGMANAGER = {"SEAL_GRACE_SECONDS": 0}


@pytest.fixture
def container():
    return demo_container_ensure()


def record(container, action="accept_all", *, proof=False):
    """A decision; with ``proof``, with the link-proof hashes (of a browser's second one)."""
    consent_id, previous_id = str(uuid.uuid4()), str(uuid.uuid4())
    data = consent_parse(
        {
            "consent_id": consent_id,
            **(
                {"previous_consent_id": previous_id, **consent_proof(consent_id, previous_id)}
                if proof
                else {}
            ),
            "categories": {"analytics": True, "marketing": action == "accept_all"},
            "action": action,
            "source": "banner",
            "locale": "en",
            "url": "https://shop.example/",
        }
    )
    return consent_record_create(container=container, data=data, ip="198.51.100.7", user_agent="t")


def tamper(sql, params=()):
    """Change the table behind the app's back (an attacker with database access)."""
    with append_only_bypassed(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def verify(container):
    out = StringIO()
    call_command("tagmanager_verify_consent", container.key, stdout=out)
    return out.getvalue()


def test_records_are_sealed_in_order_and_verify(container):
    records = [record(container) for _ in range(5)]
    assert consent_chains_seal() == 5
    sealed = list(ConsentRecord.objects.order_by("seal_index"))
    assert [r.pk for r in sealed] == [r.pk for r in records]
    assert [r.seal_index for r in sealed] == [0, 1, 2, 3, 4]
    assert len({r.seal_hash for r in sealed}) == 5
    records.append(record(container))
    assert consent_chain_seal(container=container) == 1
    assert consent_chain_verify(container=container) == (6, None)
    assert "Chain intact: 6 sealed record(s)" in verify(container)


@pytest.mark.parametrize(
    ("attack", "problem"),
    [
        ("UPDATE tagmanager_consentrecord SET action = 'reject_all' WHERE id = %s", "changed"),
        ("DELETE FROM tagmanager_consentrecord WHERE id = %s", "removed"),
    ],
)
def test_verify_names_the_first_tampered_record(container, attack, problem):
    records = [record(container) for _ in range(4)]
    consent_chains_seal()
    tamper(attack, [records[2].pk])
    checked, found = consent_chain_verify(container=container)
    assert checked == 2 and problem in found.problem
    expected = records[2].pk if problem == "changed" else records[3].pk
    assert found.record_id == expected
    with pytest.raises(CommandError, match=f"record {expected} "):
        verify(container)


@pytest.mark.parametrize(
    ("target", "column", "value"),
    [
        ("proven", "secret_sha256", ""),
        ("proven", "secret_sha256", "0" * 64),
        ("proven", "previous_secret_sha256", ""),
        ("proven", "previous_secret_sha256", "0" * 64),
        # A proof added to a record sealed without one (to join it to somebody's history).
        ("plain", "previous_secret_sha256", "0" * 64),
    ],
)
def test_link_proof_hashes_are_sealed(container, target, column, value):
    records = {"plain": record(container), "proven": record(container, proof=True)}
    record(container)
    consent_chains_seal()
    assert consent_chain_verify(container=container) == (3, None)
    tampered = records[target]
    tamper(f"UPDATE tagmanager_consentrecord SET {column} = %s WHERE id = %s", [value, tampered.pk])
    _, found = consent_chain_verify(container=container)
    assert found.record_id == tampered.pk and "changed" in found.problem


def test_records_without_proof_keep_the_content_they_were_sealed_with(container):
    """Records sealed before the link proof existed still verify: their content has no room
    for it; a record with a proof has both hashes at its end."""
    plain, proven = record(container), record(container, proof=True)
    assert len(json.loads(record_content(plain))) == 15
    content = json.loads(record_content(proven))
    assert len(content) == 17
    assert content[-2:] == [proven.secret_sha256, proven.previous_secret_sha256]
    assert all(len(h) == 64 for h in content[-2:])


def test_backdated_insert_is_detected(container):
    [record(container) for _ in range(3)]
    consent_chains_seal()
    forged = record(container)
    old = ConsentRecord.objects.order_by("created_at").first().created_at - timedelta(days=1)
    tamper("UPDATE tagmanager_consentrecord SET created_at = %s WHERE id = %s", [old, forged.pk])
    _, found = consent_chain_verify(container=container)
    assert found.record_id == forged.pk and "out of order" in found.problem


def test_verify_command_on_unknown_key():
    with pytest.raises(CommandError, match="No container"):
        call_command("tagmanager_verify_consent", "nope")


@pytest.mark.skipif(not on_postgres, reason="the append-only trigger is PostgreSQL's")
def test_postgres_refuses_update_and_delete_but_allows_sealing(container):
    first = record(container)
    consent_chains_seal()  # sealing is the one allowed UPDATE
    for statement in (
        "UPDATE tagmanager_consentrecord SET action = 'reject_all' WHERE id = %s",
        "UPDATE tagmanager_consentrecord SET seal_hash = 'x' WHERE id = %s",
        "UPDATE tagmanager_consentrecord SET previous_secret_sha256 = 'x' WHERE id = %s",
        "DELETE FROM tagmanager_consentrecord WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [first.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        ConsentRecord.objects.filter(pk=first.pk).delete()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL tagmanager.retention = 'on'")
        cursor.execute("DELETE FROM tagmanager_consentrecord WHERE id = %s", [first.pk])
    assert not ConsentRecord.objects.exists()


def test_records_wait_out_the_grace_period_before_they_are_sealed(container, settings):
    settings.TAGMANAGER = {"SEAL_GRACE_SECONDS": 60}
    older, newer = record(container), record(container)
    with append_only_bypassed():
        ConsentRecord.objects.filter(pk=older.pk).update(
            created_at=older.created_at - timedelta(seconds=61)
        )
    assert consent_chains_seal() == 1
    older.refresh_from_db()
    newer.refresh_from_db()
    assert older.seal_index == 0 and newer.seal_index is None
    # A record committed late, dated before the newest sealed one but within the grace: still
    # sealed in order when its time comes, and the chain verifies.
    assert consent_chain_verify(container=container) == (1, None)


def test_a_changed_notice_text_breaks_the_chain(container):
    first = record(container)
    consent_chains_seal()
    assert consent_chain_verify(container=container)[1] is None
    texts = {**first.notice.texts, "banner": {"title": "We sell your data"}}
    tamper(
        "UPDATE tagmanager_consentnotice SET texts = %s WHERE id = %s",
        [json.dumps(texts), first.notice_id],
    )
    checked, problem = consent_chain_verify(container=container)
    assert checked == 0 and problem.record_id == first.pk
    assert "notice" in problem.problem and "changed" in problem.problem


@pytest.mark.skipif(not on_postgres, reason="the append-only triggers are PostgreSQL's")
def test_postgres_refuses_to_change_or_delete_a_notice(container):
    notice = record(container).notice
    for sql in (
        "UPDATE tagmanager_consentnotice SET locale = 'xx' WHERE id = %s",
        "DELETE FROM tagmanager_consentnotice WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="immutable"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [notice.pk])
