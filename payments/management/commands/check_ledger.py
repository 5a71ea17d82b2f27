import time

from django.core.management.base import BaseCommand, CommandError

from payments.ledger import audit_ledger
from payments.money import format_amount


class Command(BaseCommand):
    help = (
        "Check the ledger: every transaction and the whole ledger sum to zero per currency. "
        "Prints figures; exits with status 1 and the list of problems otherwise."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        audit = audit_ledger()
        seconds = time.perf_counter() - started
        if not audit.figures:
            self.stdout.write("The ledger is empty.")
        for currency, figure in sorted(audit.figures.items()):
            moved, total = (format_amount(n, currency) for n in (figure.volume, figure.total))
            self.stdout.write(
                f"{currency}: {figure.transactions:,} transactions, {figure.entries:,} entries, "
                f"{moved} moved, total {total}"
            )
        for problem in audit.problems:
            self.stderr.write(problem)
        if audit.problems:
            raise CommandError(
                f"The ledger does not balance: {len(audit.problems)} problem"
                f"{'s' if len(audit.problems) != 1 else ''} (listed above)."
            )
        self.stdout.write(self.style.SUCCESS(f"The ledger balances (checked in {seconds:.2f} s)."))
