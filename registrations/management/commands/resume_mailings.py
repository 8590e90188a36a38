"""Queue again the mailings left unfinished by a worker that died (run_jobs runs it every few minutes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from registrations.services.mailing import mailings_resume


class Command(BaseCommand):
    help = "Send what unfinished mailings still owe once the leases of dead workers have run out."

    def handle(self, *args: Any, **options: Any) -> None:
        ids = mailings_resume()
        self.stdout.write(f"Resumed {len(ids)} mailing(s)" + (f": {ids}" if ids else "."))
