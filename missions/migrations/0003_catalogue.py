"""The seed's mission catalogue (DOMAIN.md), in its order. The DANE edits wording later in the admin."""

from django.db import migrations

# code, label, proposed organisation, parent, kind, min, max, blocking, requires_action, requires_tablets
CATALOGUE = [
    ("support_teams", "Accompagner l'équipe pédagogique",
     "Un ou plusieurs enseignants, répartition temporelle sur la semaine ou par projet accompagné",
     None, "standard", 1, None, True, "", False),
    ("advise_principal", "Conseiller le chef d'établissement", "Collégiale ou répartition par dossier",
     None, "standard", 1, None, True, "", False),
    ("communicate", "Communiquer", "1 référent contact pour la DANE", None, "standard", 1, 1, True, "", False),
    ("training", "Se former", "Tous les acteurs identifiés", None, "derived", 0, None, False, "", False),
    ("tools", "Gérer les outils (par ordre de priorité)", "", None, "group", 0, None, False, "", False),
    ("tools.collectivity_link", "Lien avec collectivité", "1 référent contact",
     "tools", "standard", 1, 1, True, "", False),
    ("tools.tickets", "Remontée des tickets de dysfonctionnement", "", "tools", "standard", 1, None, False, "", False),
    ("tools.amon", "Interface pédagogique AMON (selon collectivité)", "",
     "tools", "standard", 0, None, False, "amon", False),
    ("tools.accounts", "Gestion des comptes utilisateurs (selon collectivité)", "",
     "tools", "standard", 0, None, False, "accounts", False),
    ("tools.tablets", "'Administrer' les tablettes", "1 ou plusieurs référents, selon le nombre de tablettes",
     "tools", "standard", 0, None, False, "", True),
    ("tools.ent_admin", "ENT — administrateur", "1 administrateur", "tools", "standard", 1, 1, True, "", False),
    ("tools.ent_usage", "ENT — référent usages", "1 référent usages", "tools", "standard", 1, None, False, "", False),
    ("tools.services", "Administrer les services pédagogiques (BRNE, Pearltrees, …)", "1 référent par service",
     "tools", "per_service", 0, None, False, "", False),
    ("tools.website", "Animation du site web", "1 référent", "tools", "standard", 1, 1, False, "", False),
]  # fmt: skip


def load(apps, schema_editor):
    Mission = apps.get_model("missions", "Mission")
    by_code = {}
    for position, row in enumerate(CATALOGUE, start=1):
        code, label, organisation, parent, kind, minimum, maximum, blocking, action, tablets = row
        by_code[code] = Mission.objects.create(
            code=code,
            label=label,
            proposed_organisation=organisation,
            parent=by_code[parent] if parent else None,
            position=position * 10,
            kind=kind,
            min_holders=minimum,
            max_holders=maximum,
            blocking=blocking,
            requires_action=action,
            requires_tablets=tablets,
        )


def unload(apps, schema_editor):
    Mission = apps.get_model("missions", "Mission")
    Mission.objects.filter(parent__isnull=False).delete()
    Mission.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("missions", "0002_initial")]

    operations = [migrations.RunPython(load, unload)]
