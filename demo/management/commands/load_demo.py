"""Load the demo data of the académie de Dijon, once; running it again creates nothing and changes nothing."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand

from demo.loader import DEMO_PASSWORD, build_demo, default_data_dir, load_demo


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration de l'académie de Dijon (établissements réels, personnels, plans "
        "de répartition, comptes de démonstration). Relancée, la commande ne crée ni ne modifie rien."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=None,
            help="Dossier des fichiers open data (par défaut ../shared/data à côté du projet). "
            "Sans ces fichiers, des établissements fictifs les remplacent.",
        )

    def handle(self, *args, data_dir: Path | None = None, **options):
        started = time.monotonic()
        demo = build_demo(data_dir or default_data_dir())
        result = load_demo(demo)
        elapsed = time.monotonic() - started

        write = self.stdout.write
        if result.created_anything:
            write(self.style.SUCCESS("Données de démonstration de l'académie de Dijon chargées."))
            details = ", ".join(f"{label} : {count}" for label, count in result.created.items() if count)
            write(f"Créés en {elapsed:.1f} s".replace(".", ",") + f" — {details}.")
            if not demo.from_files:
                write(
                    self.style.WARNING("Fichiers open data absents : les établissements de démonstration sont fictifs.")
                )
        else:
            write(
                self.style.SUCCESS(
                    "Données de démonstration de l'académie de Dijon déjà chargées : rien n'a été créé ni modifié."
                )
            )
        school = result.demo_school
        person = result.referent_person
        accounts = result.accounts
        lines = [
            ("Chef d'établissement", accounts["principal"], f"({school.name}, {school.uai})"),
            ("Référent numérique", accounts["referent"], f"({person.full_name}, {school.name})"),
            ("Enseignant", accounts["teacher"], f"({school.name} : demandes d'intervention, sessions)"),
            ("DANE", accounts["dane"], ""),
            ("Rectorat", accounts["rectorat"], ""),
            ("Collectivité", accounts["collectivite"], f"({result.collectivity.name})"),
            ("Administrateur", accounts["admin"], "(interface /admin/)"),
        ]
        write(f"Comptes de démonstration (mot de passe pour tous : {DEMO_PASSWORD}) :")
        for role, email, note in lines:
            write(f"  {role:<22} {email:<27} {note}".rstrip())
