"""Run the reminder jobs at once, in this process: every reminder due and not yet sent goes out (once)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notifications import reminders


class Command(BaseCommand):
    help = (
        "Envoie tout de suite les rappels dus (ceux que la tâche quotidienne de Celery beat enverrait). "
        "Chaque rappel ne part qu'une fois : relancée, la commande n'envoie que ce qui est nouveau."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Affiche ce qui serait envoyé, sans rien envoyer ni enregistrer."
        )
        parser.add_argument("--date", default=None, help="Le jour à considérer, AAAA-MM-JJ (par défaut : aujourd'hui).")
        parser.add_argument(
            "--kind", action="append", choices=sorted(reminders.KINDS), help="Seulement ce type de rappel."
        )

    def handle(self, *args, dry_run: bool = False, date: str | None = None, kind=None, **options):
        try:
            today = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"Date invalide : {date!r} (format attendu : AAAA-MM-JJ).") from None
        todo = reminders.unsent(reminders.due(today, kinds=kind))
        sent = 0
        for item_kind, out in todo:
            subject = reminders.subject_of(item_kind, out)
            if dry_run:
                self.stdout.write(f"[à envoyer] {item_kind.code} → {out.user.email} : {subject}")
                continue
            if reminders.send_one(item_kind, out):
                sent += 1
                self.stdout.write(f"[envoyé] {item_kind.code} → {out.user.email} : {subject}")
        day = today.strftime("%d/%m/%Y")
        if dry_run:
            self.stdout.write(
                self.style.SUCCESS(f"Simulation du {day} : {len(todo)} rappel(s) seraient envoyés.")
                if todo
                else self.style.SUCCESS(f"Simulation du {day} : aucun nouveau rappel à envoyer.")
            )
        elif sent:
            self.stdout.write(self.style.SUCCESS(f"{sent} rappel(s) envoyé(s) pour le {day}."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Aucun nouveau rappel à envoyer pour le {day}."))
