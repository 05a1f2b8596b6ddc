"""The per-container hash chain over consent records: seal new records, verify the chain.

Each sealed record gets the next ``seal_index`` and ``seal_hash = sha256(previous hash +
canonical content)``. Changing, removing or back-dating a record breaks the chain from there.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from tagmanager.conf import get_setting
from tagmanager.models import ConsentRecord, Container

GENESIS = "0" * 64


def record_content(record: ConsentRecord) -> str:
    """The canonical text of everything a record proves (its seal fields excepted)."""
    content = [
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
    ]
    # The link proof's hashes came later: a record without them has the content it was sealed
    # with before they existed; adding or blanking them on a sealed record breaks its hash.
    if record.secret_sha256 or record.previous_secret_sha256:
        content += [record.secret_sha256, record.previous_secret_sha256]
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def notice_sha256(texts: dict) -> str:
    """The sha256 a notice is stored under: of its texts' canonical JSON."""
    canonical = json.dumps(texts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


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
    # Only records older than the grace period: one committed late (a slow transaction, another
    # web node) still falls in time order ahead of everything sealed after it.
    settled = timezone.now() - timedelta(seconds=get_setting("SEAL_GRACE_SECONDS"))
    pending = list(
        ConsentRecord.objects.filter(
            container=container, seal_index__isnull=True, created_at__lt=settled
        )
        .select_related("notice")
        .order_by("created_at", "pk")[:batch_size]
    )
    now = timezone.now()
    for record in pending:
        record.seal_index = index
        record.seal_hash = previous = chain_hash(previous, record)
        record.sealed_at = now
        index += 1
    _seal_write(pending, sealed_at=now)
    return len(pending)


def _seal_write(records: list[ConsentRecord], *, sealed_at) -> None:
    if not records:
        return
    if connection.vendor != "postgresql":
        ConsentRecord.objects.bulk_update(records, ["seal_index", "seal_hash", "sealed_at"])
        return
    # One UPDATE ... FROM unnest(arrays): bulk_update writes a CASE over every id for each
    # column, which PostgreSQL takes seconds to plan and run for a few thousand rows.
    table = connection.ops.quote_name(ConsentRecord._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS r SET seal_index = t.i, seal_hash = t.h, sealed_at = %s "
            "FROM unnest(%s::bigint[], %s::bigint[], %s::text[]) AS t(id, i, h) "
            "WHERE r.id = t.id",
            [
                sealed_at,
                [r.pk for r in records],
                [r.seal_index for r in records],
                [r.seal_hash for r in records],
            ],
        )


def consent_chains_seal() -> int:
    """Seal every container's new records (the periodic task)."""
    settled = timezone.now() - timedelta(seconds=get_setting("SEAL_GRACE_SECONDS"))
    ids = (
        ConsentRecord.objects.filter(seal_index__isnull=True, created_at__lt=settled)
        .order_by()  # without the default ordering, DISTINCT is per container, not per record
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
    checked, notices = 0, {}
    for record in sealed.iterator(chunk_size=2000):
        notice = record.notice
        if notice.pk not in notices:
            notices[notice.pk] = notice_sha256(notice.texts) == notice.sha256
        if not notices[notice.pk]:
            return checked, ChainProblem(
                record.pk,
                record.seal_index,
                f"its notice {notice.pk} was changed (its texts no longer match their sha256)",
            )
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
        # An unsealed record dated before sealed ones: sealing waits SEAL_GRACE_SECONDS for
        # late commits, so this one was inserted with a date in the past.
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
