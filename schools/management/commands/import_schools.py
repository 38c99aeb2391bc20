"""Import the schools from the Ministry's directory export: see schools.directory_import for the formats."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rupn.lib.errors import DomainError
from schools.directory_import import FORMAT_LABELS, SKIP_REASONS
from schools.services import school_directory_import


class Command(BaseCommand):
    help = (
        "Importe les collèges, lycées et EREA publics depuis l'export « Annuaire de l'éducation » ou « Adresse et "
        "géolocalisation des établissements » (CSV « ; », UTF-8). Les établissements sont créés ou mis à jour "
        "par UAI, jamais supprimés. Le fichier est entièrement vérifié avant toute écriture : à la première "
        "ligne incorrecte, rien n'est importé."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Le fichier CSV de l'export.")
        parser.add_argument(
            "--academie",
            metavar="CODE",
            help="N'importe que cette académie (code ministériel, 07 pour Dijon) ; ses établissements absents du "
            "fichier, parmi les types qu'il contient, sont alors marqués fermés.",
        )
        parser.add_argument(
            "--with-private",
            action="store_true",
            help="Importe aussi les établissements privés sous contrat (jamais ceux hors contrat).",
        )

    def handle(self, *args, file: Path, academie: str | None = None, with_private: bool = False, **options):
        if not file.is_file():
            raise CommandError(f"Fichier introuvable : {file}")
        try:
            with file.open("rb") as stream:
                result = school_directory_import(
                    stream=stream,
                    academie_code=academie,
                    full_academie=bool(academie),
                    with_private=with_private,
                    move_between_academies=True,
                )
        except DomainError as error:
            raise CommandError(f"{error.message} Rien n'a été importé.") from error
        write = self.stdout.write
        write(f"Format : {FORMAT_LABELS[result.format]}.")
        write(
            self.style.SUCCESS(
                f"créés : {result.created} / mis à jour : {result.updated} / inchangés : {result.unchanged} / "
                f"ignorés : {result.skipped}"
            )
        )
        for reason, count in sorted(result.skipped_reasons.items()):
            write(f"  ignorés — {SKIP_REASONS[reason]} : {count}")
        if academie:
            write(f"Absents du fichier, marqués fermés : {result.closed}")
        if result.moved:
            write(
                self.style.WARNING(
                    f"Changés d'académie : {len(result.moved)} (seule cette commande le fait ; l'import de la DANE "
                    "laisse inchangés les établissements d'une autre académie)"
                )
            )
            for uai, old, new in result.moved:
                write(f"  {uai} : académie {old} → académie {new}")
        if result.departements_created or result.collectivities_created:
            write(
                f"Départements créés : {result.departements_created} ; "
                f"collectivités créées : {result.collectivities_created}"
            )
