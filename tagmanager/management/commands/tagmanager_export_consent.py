import sys
import uuid
from datetime import datetime, time
from datetime import timezone as dt_timezone

from django.core.management.base import BaseCommand, CommandError

from tagmanager.models import Container
from tagmanager.services.export import consent_records_for_export, export_stream


def _date(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Not a date: {value!r} (use YYYY-MM-DD or an ISO time).") from None
    if parsed.tzinfo is None:
        if len(value) <= 10:
            parsed = datetime.combine(parsed.date(), time.min)
        parsed = parsed.replace(tzinfo=dt_timezone.utc)
    return parsed


class Command(BaseCommand):
    help = (
        "Export a container's consent records (one visitor's by --consent-id, or a date range) "
        "as CSV or JSON, streamed."
    )

    def add_arguments(self, parser):
        parser.add_argument("key", help="Container key.")
        parser.add_argument("--consent-id", help="A visitor's consent id (data-subject request).")
        parser.add_argument("--since", help="From this date/time (UTC), inclusive.")
        parser.add_argument("--until", help="Up to this date/time (UTC), exclusive.")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")

    def handle(self, *args, key, consent_id, since, until, format, output, **options):
        container = Container.objects.filter(key=key).first()
        if container is None:
            raise CommandError(f"No container with key {key!r}.")
        if consent_id:
            try:
                consent_id = uuid.UUID(consent_id)
            except ValueError:
                raise CommandError(f"Not a consent id: {consent_id!r}.") from None
        records = consent_records_for_export(
            container=container,
            consent_id=consent_id,
            since=_date(since) if since else None,
            until=_date(until) if until else None,
        )
        total = records.count()
        show_progress = sys.stderr.isatty()
        out = open(output, "w", encoding="utf-8", newline="") if output else self.stdout  # noqa: SIM115
        written = 0
        try:
            for piece in export_stream(records, fmt=format):
                out.write(piece) if output else out.write(piece, ending="")
                written += 1
                if show_progress and written % 1000 == 0:
                    done = min(written, total)
                    bar = "#" * int(30 * done / max(total, 1))
                    sys.stderr.write(f"\r[{bar:<30}] {done:,}/{total:,}")
        finally:
            if output:
                out.close()
        if show_progress:
            sys.stderr.write(f"\r[{'#' * 30}] {total:,}/{total:,}\n")
        if output:
            self.stderr.write(f"Exported {total} record(s) to {output}.")
