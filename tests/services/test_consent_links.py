"""Consent histories are joined only by the browser that made them: an export by consent id
follows a link to a previous decision only when it is proven (the newer record presented the
secret whose sha256 the older one stored), both ways, and never further than the bound."""

import csv
import io
import json
import uuid

import pytest

from tagmanager.models import ConsentRecord
from tagmanager.payloads import consent_parse
from tagmanager.services import export
from tagmanager.services.consent import consent_record_create
from tagmanager.services.demo import demo_container_ensure
from tagmanager.services.export import consent_records_for_export, export_stream
from tests.helpers import consent_proof, consent_secret

pytestmark = pytest.mark.django_db


@pytest.fixture
def container():
    return demo_container_ensure()


PROVEN = object()


def decide(container, *, previous=None, proof=PROVEN, user_agent="victim's browser"):
    """A decision; with ``previous`` (a record), proven by that browser's secret unless
    ``proof`` says what is presented instead."""
    consent_id = str(uuid.uuid4())
    previous_id = str(previous.consent_id) if previous else None
    fields = consent_proof(consent_id, previous_id)
    if proof is not PROVEN:
        fields["previous_secret"] = proof
    data = consent_parse(
        {
            "consent_id": consent_id,
            "previous_consent_id": previous_id,
            **fields,
            "categories": {"analytics": True},
            "action": "custom",
            "source": "banner",
            "url": "https://shop.example/private/page",
        }
    )
    return consent_record_create(container=container, data=data, ip=None, user_agent=user_agent)


def exported(container, record) -> list[str]:
    records = consent_records_for_export(container=container, consent_id=record.consent_id)
    return [str(r.consent_id) for r in records]


def ids(*records) -> list[str]:
    return [str(r.consent_id) for r in records]


def test_a_proven_chain_of_three_is_followed_both_ways(container):
    first = decide(container)
    second = decide(container, previous=first)
    third = decide(container, previous=second)
    decide(container)  # somebody else
    for record in (first, second, third):
        assert exported(container, record) == ids(first, second, third)


@pytest.mark.parametrize(
    "presented",
    [
        None,  # no proof at all
        "a guessed secret",
        "",
        # What an attacker may have seen of the victim's record: its hash, not the secret.
        "victim's hash",
    ],
)
def test_a_forged_link_is_followed_neither_way(container, presented):
    victim_first = decide(container)
    victim = decide(container, previous=victim_first)
    if presented == "victim's hash":
        presented = victim.secret_sha256
    forged = decide(container, previous=victim, proof=presented, user_agent="attacker")
    assert forged.previous_consent_id == victim.consent_id  # kept as claimed, not proven
    # The attacker's export holds the attacker's record only: not the victim's browser, page ...
    assert exported(container, forged) == ids(forged)
    # ... and the victim's export knows nothing of the attacker.
    assert exported(container, victim) == ids(victim_first, victim)
    assert exported(container, victim_first) == ids(victim_first, victim)


def test_a_proof_for_another_decision_of_the_same_browser_proves_nothing(container):
    """The secret of one decision does not prove a link to another one."""
    first = decide(container)
    second = decide(container, previous=first)
    wrong = decide(container, previous=second, proof=consent_secret(first.consent_id))
    assert exported(container, wrong) == ids(wrong)


def test_a_link_is_proven_whichever_record_arrived_first(container):
    """The runtime sends a browser's decisions in order, but two tabs may not: the proof is
    the pair of stored hashes, checked when the export reads them."""
    older_id, newer_id = str(uuid.uuid4()), str(uuid.uuid4())

    def create(consent_id, previous_id=None):
        body = {
            "consent_id": consent_id,
            "previous_consent_id": previous_id,
            **consent_proof(consent_id, previous_id),
            "categories": {},
            "action": "reject_all",
            "source": "banner",
        }
        return consent_record_create(
            container=container, data=consent_parse(body), ip=None, user_agent=""
        )

    newer = create(newer_id, previous_id=older_id)
    older = create(older_id)
    assert sorted(exported(container, older)) == sorted(ids(older, newer))
    assert sorted(exported(container, newer)) == sorted(ids(older, newer))


def test_the_walk_is_bounded_nearest_first(container, monkeypatch):
    assert export.CHAIN_MAX_RECORDS == 100
    monkeypatch.setattr(export, "CHAIN_MAX_RECORDS", 4)
    chain = [decide(container)]
    for _ in range(6):
        chain.append(decide(container, previous=chain[-1]))
    # From the middle: one step each way, then the older side first, and no further.
    assert exported(container, chain[3]) == ids(*chain[1:5])
    assert exported(container, chain[0]) == ids(*chain[:4])


def test_exports_say_which_links_are_proven(container):
    first = decide(container)
    proven = decide(container, previous=first)
    forged = decide(container, previous=first, proof="guess")
    records = ConsentRecord.objects.filter(container=container).order_by("created_at", "pk")
    rows = json.loads("".join(export_stream(records, fmt="json")))
    assert [r["previous_proven"] for r in rows] == [False, True, False]
    assert [r["previous_consent_id"] for r in rows] == ["", *ids(first, first)]
    table = list(csv.DictReader(io.StringIO("".join(export_stream(records, fmt="csv")))))
    assert [r["previous_proven"] for r in table] == ["False", "True", "False"]
    assert ids(proven, forged) == [rows[1]["consent_id"], rows[2]["consent_id"]]
    # The secrets' hashes stay in the database: an export hands out no proof material.
    assert "secret" not in rows[0] and first.secret_sha256 not in json.dumps(rows)
