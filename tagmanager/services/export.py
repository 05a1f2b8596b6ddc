"""Stream consent records as CSV or JSON, in constant memory, for audits and access requests."""

import csv
import json
from collections.abc import Iterator

from tagmanager.models import ConsentRecord, Container

FIELDS = (
    "consent_id",
    "previous_consent_id",
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


def consent_records_for_export(*, container: Container, consent_id=None, since=None, until=None):
    """The records to export: one visitor's (a consent id and every id it replaced or that
    replaced it) and/or a time range, oldest first."""
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
    """A visitor's consent ids: follow previous_consent_id links both ways."""
    links = ConsentRecord.objects.filter(container=container)
    family, frontier = {consent_id}, {consent_id}
    while frontier:
        rows = links.filter(consent_id__in=frontier).values_list("previous_consent_id", flat=True)
        newer = links.filter(previous_consent_id__in=frontier).values_list("consent_id", flat=True)
        found = {str(x) for x in [*rows, *newer] if x} - family
        family |= found
        frontier = found
    return family


def _row(record: ConsentRecord) -> dict:
    return {
        "consent_id": str(record.consent_id),
        "previous_consent_id": str(record.previous_consent_id or ""),
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


class _Line:
    def write(self, value):
        return value


def export_stream(records, *, fmt: str, chunk_size: int = 2000) -> Iterator[str]:
    """Yield the export piece by piece; ``fmt`` is ``csv`` or ``json``."""
    rows = (_row(r) for r in records.iterator(chunk_size=chunk_size))
    if fmt == "csv":
        writer = csv.writer(_Line())
        yield writer.writerow(FIELDS)
        for row in rows:
            yield writer.writerow(
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
