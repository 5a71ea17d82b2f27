from django.core.management.base import BaseCommand

from analytics import partitions


class Command(BaseCommand):
    help = "Create PlayEvent's monthly partitions (PostgreSQL) for this month and the next ones."

    def add_arguments(self, parser):
        parser.add_argument("--ahead", type=int, default=2, help="months after this one")

    def handle(self, *args, ahead: int, **options):
        if not partitions.is_partitioned():
            self.stdout.write("PlayEvent is not partitioned here (SQLite): nothing to do.")
            return
        created = partitions.ensure_months(ahead=ahead)
        self.stdout.write(", ".join(created) if created else "Every partition already exists.")
