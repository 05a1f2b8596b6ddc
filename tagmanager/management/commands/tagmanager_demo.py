from django.core.management.base import BaseCommand

from tagmanager.services.demo import demo_admin_ensure, demo_container_ensure


class Command(BaseCommand):
    help = "Create (or restore) the demo container 'demo' and an admin user. Safe to re-run."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin", help="Admin user to create.")

    def handle(self, *args, username, **options):
        container = demo_container_ensure()
        self.stdout.write(f"Demo container '{container.key}': {container.tags.count()} tags.")
        password = demo_admin_ensure(username=username)
        if password:
            self.stdout.write(f"Admin user '{username}' created, password: {password}")
        else:
            self.stdout.write(
                f"Admin user '{username}' already exists; password unchanged "
                f"(manage.py changepassword {username})."
            )
