from django.core.management.base import BaseCommand, CommandError

from tagmanager.services.roles import role_groups_sync


class Command(BaseCommand):
    help = (
        "Create or update the groups Tag editors, Tag publishers and Tag developers with "
        "their permissions. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change; change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        try:
            results = role_groups_sync(dry_run=dry_run)
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        would = "would be " if dry_run else ""
        for result in results:
            if result.created:
                self.stdout.write(
                    f"{result.name}: {would}created with {len(result.added)} permission(s)."
                )
            elif result.changed:
                parts = [f"+{p}" for p in result.added] + [f"-{p}" for p in result.removed]
                self.stdout.write(f"{result.name}: {would}updated ({', '.join(parts)}).")
            else:
                self.stdout.write(f"{result.name}: up to date.")
