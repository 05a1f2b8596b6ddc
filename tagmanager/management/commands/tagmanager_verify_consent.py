from django.core.management.base import BaseCommand, CommandError

from tagmanager.models import Container
from tagmanager.services.sealing import consent_chain_verify


class Command(BaseCommand):
    help = (
        "Verify a container's consent-record hash chain; name the first record that was "
        "changed, removed or inserted out of order. Exit status 1 when the chain is broken."
    )

    def add_arguments(self, parser):
        parser.add_argument("key", help="Container key.")

    def handle(self, *args, key, **options):
        container = Container.objects.filter(key=key).first()
        if container is None:
            raise CommandError(f"No container with key {key!r}.")
        checked, problem = consent_chain_verify(container=container)
        if problem:
            raise CommandError(f"Chain broken after {checked} good record(s): {problem}")
        self.stdout.write(f"Chain intact: {checked} sealed record(s) verified.")
