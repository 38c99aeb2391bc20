"""manage.py anonymize_persons: the anonymization of the staff who left long ago."""

from django.conf import settings
from django.core.management.base import BaseCommand

from portal.personal_data import persons_anonymize


class Command(BaseCommand):
    help = "Anonymise les personnels partis depuis au moins N années (noms et adresse effacés, montants gardés)."

    def add_arguments(self, parser):
        parser.add_argument("--annees", type=int, default=settings.ANONYMIZE_AFTER_YEARS, dest="years")

    def handle(self, *args, years, **options):
        count = persons_anonymize(years=years)
        self.stdout.write(f"{count} personne(s) anonymisée(s).")
