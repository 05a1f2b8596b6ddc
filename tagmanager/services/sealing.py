"""The per-container hash chain over consent records: seal new records, verify the chain.

Each sealed record gets the next ``seal_index`` and ``seal_hash = sha256(previous hash +
canonical content)``. Changing, removing or back-dating a record breaks the chain from there.
"""

import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tagmanager.models import ConsentRecord, Container

GENESIS = "0" * 64


def record_content(record: ConsentRecord) -> str:
    """The canonical text of everything a record proves (its seal fields excepted)."""
    return json.dumps(
        [
            str(record.consent_id),
            str(record.previous_consent_id or ""),
            record.container_id,
            record.revision,
            record.notice.sha256,
            record.categories,
            record.action,
            record.source,
            record.gpc,
            record.created_at.isoformat(),
            record.expires_at.isoformat(),
            record.page_url,
            record.user_agent,
            record.ip_truncated or "",
            record.seal_index,
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def chain_hash(previous: str, record: ConsentRecord) -> str:
    return hashlib.sha256((previous + record_content(record)).encode()).hexdigest()


@transaction.atomic
def consent_chain_seal(*, container: Container, batch_size: int = 5000) -> int:
    """Seal the container's unsealed records in (time, id) order. Returns how many."""
    container = Container.objects.select_for_update().get(pk=container.pk)
    last = (
        ConsentRecord.objects.filter(container=container, seal_index__isnull=False)
        .order_by("-seal_index")
        .values_list("seal_index", "seal_hash")
        .first()
    )
    index, previous = (
        (last[0] + 1, last[1])
        if last
        else (
            container.chain_base_index,
            container.chain_base_hash or GENESIS,
        )
    )
    pending = list(
        ConsentRecord.objects.filter(container=container, seal_index__isnull=True)
        .select_related("notice")
        .order_by("created_at", "pk")[:batch_size]
    )
    now = timezone.now()
    for record in pending:
        record.seal_index = index
        record.seal_hash = previous = chain_hash(previous, record)
        record.sealed_at = now
        index += 1
    ConsentRecord.objects.bulk_update(pending, ["seal_index", "seal_hash", "sealed_at"])
    return len(pending)


def consent_chains_seal() -> int:
    """Seal every container's new records (the periodic task)."""
    ids = (
        ConsentRecord.objects.filter(seal_index__isnull=True)
        .values_list("container_id", flat=True)
        .distinct()
    )
    total = 0
    for container in Container.objects.filter(pk__in=list(ids)):
        while sealed := consent_chain_seal(container=container):
            total += sealed
    return total


@dataclass(frozen=True)
class ChainProblem:
    record_id: int | None
    seal_index: int | None
    problem: str

    def __str__(self):
        return f"record {self.record_id} (seal index {self.seal_index}): {self.problem}"


def consent_chain_verify(*, container: Container) -> tuple[int, ChainProblem | None]:
    """Walk the chain; return (records checked, the first problem or None). Streams."""
    expected_index = container.chain_base_index
    previous = container.chain_base_hash or GENESIS
    last_time = None
    sealed = (
        ConsentRecord.objects.filter(container=container, seal_index__isnull=False)
        .select_related("notice")
        .order_by("seal_index")
    )
    checked = 0
    for record in sealed.iterator(chunk_size=2000):
        if record.seal_index != expected_index:
            what = "missing" if record.seal_index > expected_index else "duplicated"
            return checked, ChainProblem(
                record.pk,
                record.seal_index,
                f"record(s) {what} before it (expected index "
                f"{expected_index}): removed from the chain",
            )
        if last_time is not None and record.created_at < last_time:
            return checked, ChainProblem(
                record.pk, record.seal_index, "inserted out of order (older than its predecessor)"
            )
        if chain_hash(previous, record) != record.seal_hash:
            return checked, ChainProblem(
                record.pk, record.seal_index, "changed after sealing (hash does not match)"
            )
        previous, last_time = record.seal_hash, record.created_at
        expected_index += 1
        checked += 1
    if last_time is not None:
        backdated = (
            ConsentRecord.objects.filter(
                container=container, seal_index__isnull=True, created_at__lt=last_time
            )
            .order_by("created_at")
            .first()
        )
        if backdated:
            return checked, ChainProblem(
                backdated.pk, None, "inserted out of order (dated before already sealed records)"
            )
    return checked, None
