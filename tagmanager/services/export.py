"""Stream consent records as CSV or JSON, in constant memory, for audits and access requests."""

import json
from collections.abc import Iterator

from django.db.models import Exists, OuterRef

from tagmanager.models import ConsentRecord, Container
from tagmanager.spreadsheet import csv_line

FIELDS = (
    "consent_id",
    "previous_consent_id",
    "previous_proven",
    "created_at",
    "expires_at",
    "revision",
    "action",
    "source",
    "gpc",
    "categories",
    "page_url",
    "user_agent",
    "ip_truncated",
    "notice_locale",
    "notice_sha256",
    "notice_texts",
    "seal_index",
    "seal_hash",
)


# A data-subject export follows a visitor's proven links to at most this many records, nearest
# first (a browser rarely decides more than a few times; the walk's cost stays bounded).
CHAIN_MAX_RECORDS = 100


def previous_proven() -> Exists:
    """Whether a record's link to its previous decision is proven: the previous record (same
    container, the claimed consent id) stored the sha256 of the secret this record presented.
    Only the browser that made the previous decision held that secret, in its consent cookie;
    anybody can claim a consent id as their previous one (docs/loader.md)."""
    return Exists(
        ConsentRecord.objects.filter(
            container_id=OuterRef("container_id"),
            consent_id=OuterRef("previous_consent_id"),
            secret_sha256=OuterRef("previous_secret_sha256"),
        ).exclude(secret_sha256="")
    )


def consent_records_for_export(*, container: Container, consent_id=None, since=None, until=None):
    """The records to export: one visitor's (a consent id and the decisions linked to it with
    proof, both ways, at most CHAIN_MAX_RECORDS) and/or a time range, oldest first."""
    records = ConsentRecord.objects.filter(container=container)
    if consent_id is not None:
        ids = _consent_family(container=container, consent_id=str(consent_id))
        records = records.filter(consent_id__in=ids)
    if since is not None:
        records = records.filter(created_at__gte=since)
    if until is not None:
        records = records.filter(created_at__lt=until)
    return records.select_related("notice").order_by("created_at", "pk")


def _consent_family(*, container: Container, consent_id: str) -> set[str]:
    """A visitor's consent ids: from ``consent_id``, follow proven links (previous_proven)
    both ways, nearest first, up to CHAIN_MAX_RECORDS ids. Unproven links are never followed."""
    proven = ConsentRecord.objects.filter(previous_proven(), container=container)
    family, frontier = {consent_id}, {consent_id}
    while frontier and len(family) < CHAIN_MAX_RECORDS:
        older = proven.filter(consent_id__in=frontier).values_list("previous_consent_id")
        newer = proven.filter(previous_consent_id__in=frontier).values_list("consent_id")
        found = [str(x) for (x,) in [*older, *newer.order_by("created_at", "pk")]]
        frontier = set()
        for linked in found:
            if linked not in family and len(family) < CHAIN_MAX_RECORDS:
                family.add(linked)
                frontier.add(linked)
    return family


def _row(record: ConsentRecord) -> dict:
    return {
        "consent_id": str(record.consent_id),
        "previous_consent_id": str(record.previous_consent_id or ""),
        "previous_proven": record.previous_proven,
        "created_at": record.created_at.isoformat(),
        "expires_at": record.expires_at.isoformat(),
        "revision": record.revision,
        "action": record.action,
        "source": record.source,
        "gpc": record.gpc,
        "categories": record.categories,
        "page_url": record.page_url,
        "user_agent": record.user_agent,
        "ip_truncated": record.ip_truncated or "",
        "notice_locale": record.notice.locale,
        "notice_sha256": record.notice.sha256,
        "notice_texts": record.notice.texts,
        "seal_index": record.seal_index,
        "seal_hash": record.seal_hash,
    }


def export_stream(records, *, fmt: str, chunk_size: int = 2000) -> Iterator[str]:
    """Yield the export piece by piece; ``fmt`` is ``csv`` or ``json``."""
    records = records.annotate(previous_proven=previous_proven())
    rows = (_row(r) for r in records.iterator(chunk_size=chunk_size))
    if fmt == "csv":
        yield csv_line(FIELDS)
        for row in rows:
            # Cells a spreadsheet would run as formulas are neutralised (tagmanager.spreadsheet).
            yield csv_line(
                [
                    json.dumps(row[f], sort_keys=True, ensure_ascii=False)
                    if isinstance(row[f], dict)
                    else row[f]
                    for f in FIELDS
                ]
            )
    elif fmt == "json":
        yield "["
        for index, row in enumerate(rows):
            yield ("," if index else "") + "\n" + json.dumps(row, ensure_ascii=False)
        yield "\n]\n"
    else:
        raise ValueError(f"Unknown export format {fmt!r}; use csv or json.")
