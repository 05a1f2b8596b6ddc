from celery.exceptions import TimeoutError as CeleryTimeout
from django.core.management.base import BaseCommand, CommandError

from tagmanager.tasks import health_check


class Command(BaseCommand):
    help = "Send a health-check task through the broker and wait for a worker's answer."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=10.0, help="Seconds to wait.")

    def handle(self, *args, timeout, **options):
        try:
            result = health_check.delay().get(timeout=timeout)
        except CeleryTimeout:
            raise CommandError(f"No worker answered within {timeout:g} s.") from None
        except Exception as exc:  # broker down, result backend missing ...
            raise CommandError(f"Cannot reach the broker: {exc}") from None
        self.stdout.write(
            f"Worker OK: database {result['database']}, {result['containers']} container(s)."
        )
