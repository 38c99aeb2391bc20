"""The demo data of the académie de Dijon, for `manage.py load_demo`.

Two steps. build_demo() decides everything in plain Python, from the open data files in shared/data when
they are there (real public collèges, lycées and lycées professionnels) and from built-in lists otherwise,
with one seeded random generator: the same files always give the same demo. load_demo() then writes it,
creating only what is missing, looked up by natural key (codes, UAI, e-mail addresses, one plan per school
and year): a second run creates nothing and changes nothing.

Plans go through missions.services (plan_save, then plan_submit), so they obey the same rules as the pages.
"""

import csv
import datetime
import logging
import random
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from celery import current_app as celery_app
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models.functions import Lower
from django.test.utils import override_settings
from simple_history.utils import bulk_create_with_history

from demo import missions as missions_demo
from demo.badges import load_badges_demo
from demo.helpdesk import load_helpdesk_demo
from demo.imp import load_imp_demo
from demo.recognition import load_recognition_demo
from missions.models import AllocationPlan
from missions.services import RowInput, plan_get_or_create, plan_save, plan_submit
from schools.directory_import import parse_coordinates
from schools.models import (
    Academie,
    AuthorizedAction,
    Collectivity,
    Departement,
    Person,
    Role,
    School,
    SchoolYear,
    User,
)
from schools.uai import is_valid_uai, uai_check_letter

SEED = 2026
DEMO_PASSWORD = "demo-rupn-2026"
DEMO_YEAR = 2026  # the plans are for 2026-2027
STAFF_DOMAIN = "ac-dijon.fr"
DEMO_DOMAIN = "demo.rupn.fr"

COLLEGES_FILE = "adresse-geoloc_colleges_academie-dijon.csv"
ANNUAIRE_FILE = "annuaire-education_extrait_academie-dijon_second-degre.csv"

ACADEMIE = ("07", "Dijon")
DEPARTEMENTS = {"21": "Côte-d'Or", "58": "Nièvre", "71": "Saône-et-Loire", "89": "Yonne"}
DEPARTEMENT_COUNCILS = {
    "21": "Conseil départemental de la Côte-d'Or",
    "58": "Conseil départemental de la Nièvre",
    "71": "Conseil départemental de Saône-et-Loire",
    "89": "Conseil départemental de l'Yonne",
}
REGION_CODE = "CRBFC"
REGION_NAME = "Conseil régional de Bourgogne-Franche-Comté"
# The collectivité whose demo account is printed, and which authorizes AMON, accounts and tablets for all its schools.
DEMO_COLLECTIVITY = "CD21"
AUTHORIZED_ACTIONS = (
    AuthorizedAction.Action.AMON,
    AuthorizedAction.Action.ACCOUNTS,
    AuthorizedAction.Action.TABLETS,
)

# The principal's and referent's school: a real public collège of Dijon, present with or without the files.
DEMO_SCHOOL = ("0211526V", "Collège Montchapet", "Dijon", "21000", "21")

COLLEGES_PER_DEPARTEMENT = 10
LYCEES_PER_KIND = 20

COMMUNES = {
    "21": [
        ("Dijon", "21000"),
        ("Beaune", "21200"),
        ("Chenôve", "21300"),
        ("Talant", "21240"),
        ("Quetigny", "21800"),
        ("Montbard", "21500"),
        ("Auxonne", "21130"),
        ("Is-sur-Tille", "21120"),
        ("Nuits-Saint-Georges", "21700"),
        ("Châtillon-sur-Seine", "21400"),
    ],
    "58": [
        ("Nevers", "58000"),
        ("Cosne-Cours-sur-Loire", "58200"),
        ("Decize", "58300"),
        ("Clamecy", "58500"),
        ("Château-Chinon", "58120"),
        ("La Charité-sur-Loire", "58400"),
        ("Varennes-Vauzelles", "58640"),
        ("Imphy", "58160"),
        ("Luzy", "58170"),
        ("Corbigny", "58800"),
    ],
    "71": [
        ("Mâcon", "71000"),
        ("Chalon-sur-Saône", "71100"),
        ("Le Creusot", "71200"),
        ("Montceau-les-Mines", "71300"),
        ("Autun", "71400"),
        ("Louhans", "71500"),
        ("Paray-le-Monial", "71600"),
        ("Tournus", "71700"),
        ("Digoin", "71160"),
        ("Charolles", "71120"),
    ],
    "89": [
        ("Auxerre", "89000"),
        ("Sens", "89100"),
        ("Joigny", "89300"),
        ("Avallon", "89200"),
        ("Tonnerre", "89700"),
        ("Migennes", "89400"),
        ("Saint-Florentin", "89600"),
        ("Toucy", "89130"),
        ("Villeneuve-sur-Yonne", "89500"),
        ("Chablis", "89800"),
    ],
}

# Names for generated schools, used only when the files hold too few real ones (generated collèges take the
# communes of their département in turn). Generated UAIs take the digits 0DD9nnn, a range the ministry does not use in these
# départements, so that they never collide with a real school.
COLLEGE_NAMES = [
    "Jean Moulin",
    "Victor Hugo",
    "Jules Ferry",
    "Louis Pasteur",
    "Albert Camus",
    "Jean Jaurès",
    "Marie Curie",
    "Paul Éluard",
    "Les Tilleuls",
    "Le Chapitre",
]
# name, commune, postal code, département
LYCEE_NAMES = [
    ("Lycée Charles de Gaulle", "Dijon", "21000", "21"),
    ("Lycée Hippolyte Fontaine", "Dijon", "21000", "21"),
    ("Lycée Stephen Liégeard", "Brochon", "21220", "21"),
    ("Lycée Désiré Nisard", "Châtillon-sur-Seine", "21400", "21"),
    ("Lycée Anna Judic", "Semur-en-Auxois", "21140", "21"),
    ("Lycée Étienne-Jules Marey", "Beaune", "21200", "21"),
    ("Lycée Jules Renard", "Nevers", "58000", "58"),
    ("Lycée Raoul Follereau", "Nevers", "58000", "58"),
    ("Lycée Romain Rolland", "Clamecy", "58500", "58"),
    ("Lycée Maurice Genevoix", "Decize", "58300", "58"),
    ("Lycée Pierre-Gilles de Gennes", "Cosne-Cours-sur-Loire", "58200", "58"),
    ("Lycée Lamartine", "Mâcon", "71000", "71"),
    ("Lycée Pontus de Tyard", "Chalon-sur-Saône", "71100", "71"),
    ("Lycée Émiland Gauthey", "Chalon-sur-Saône", "71100", "71"),
    ("Lycée Henri Parriat", "Montceau-les-Mines", "71300", "71"),
    ("Lycée Bonaparte", "Autun", "71400", "71"),
    ("Lycée Henri Vincenot", "Louhans", "71500", "71"),
    ("Lycée Jacques Amyot", "Auxerre", "89000", "89"),
    ("Lycée Joseph Fourier", "Auxerre", "89000", "89"),
    ("Lycée Louis Davier", "Joigny", "89300", "89"),
    ("Lycée Catherine et Raymond Janot", "Sens", "89100", "89"),
    ("Lycée Chevalier d'Éon", "Tonnerre", "89700", "89"),
]
LYCEE_PRO_NAMES = [
    ("Lycée professionnel Les Marcs d'Or", "Dijon", "21000", "21"),
    ("Lycée professionnel Gustave Eiffel", "Dijon", "21000", "21"),
    ("Lycée professionnel Les Arcades", "Dijon", "21000", "21"),
    ("Lycée professionnel Simone Weil", "Dijon", "21000", "21"),
    ("Lycée professionnel Eugène Guillaume", "Montbard", "21500", "21"),
    ("Lycée professionnel Alain Colas", "Nevers", "58000", "58"),
    ("Lycée professionnel François Mitterrand", "Château-Chinon", "58120", "58"),
    ("Lycée professionnel Le Mont-Châtelet", "Varzy", "58210", "58"),
    ("Lycée professionnel Jean Rostand", "Imphy", "58160", "58"),
    ("Lycée professionnel Dumaine", "Mâcon", "71000", "71"),
    ("Lycée professionnel Léon Blum", "Le Creusot", "71200", "71"),
    ("Lycée professionnel Thomas Dumorey", "Chalon-sur-Saône", "71100", "71"),
    ("Lycée professionnel Astier", "Paray-le-Monial", "71600", "71"),
    ("Lycée professionnel Julien Wittmer", "Charolles", "71120", "71"),
    ("Lycée professionnel Camille du Gast", "Louhans", "71500", "71"),
    ("Lycée professionnel Saint-Germain", "Auxerre", "89000", "89"),
    ("Lycée professionnel Vauban", "Auxerre", "89000", "89"),
    ("Lycée professionnel Pierre Larousse", "Toucy", "89130", "89"),
    ("Lycée professionnel Gustave Flaubert", "Sens", "89100", "89"),
    ("Lycée professionnel Blaise Pascal", "Avallon", "89200", "89"),
    ("Lycée professionnel Marcel Aymé", "Migennes", "89400", "89"),
]

FIRST_NAMES = [
    "Camille", "Julie", "Sophie", "Claire", "Nathalie", "Isabelle", "Émilie", "Aurélie", "Céline", "Sandrine",
    "Valérie", "Hélène", "Laure", "Marion", "Pauline", "Anne", "Chloé", "Élodie", "Audrey", "Virginie",
    "Thomas", "Nicolas", "Julien", "Pierre", "Sébastien", "Mathieu", "Antoine", "Guillaume", "Olivier", "Frédéric",
    "Laurent", "Stéphane", "Christophe", "François", "Jérôme", "Vincent", "Benoît", "Romain", "Yann", "Cédric",
    "Jean-Marc", "Marie-Laure", "Anne-Sophie", "Jean-Baptiste", "Noémie", "Karim", "Samia", "Mehdi", "Inès", "Lucas",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent",
    "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard",
    "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefebvre", "Faure", "André",
    "Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier", "Garcia",
    "Perrin", "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson",
    "Marchand", "Duval", "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier",
    "Brun", "Blanchard", "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud",
    "Renard", "Bourgeois", "Prud'hon", "Collin", "Vidal", "Caron", "Picard", "Roger", "Fabre", "Aubert",
]  # fmt: skip

SERVICE_ORGANISATION = "1 référent par service"
SHARING_DETAILS = {
    "support_teams": ("weekday", "Lundi et mardi pour l'un, jeudi et vendredi pour l'autre"),
    "advise_principal": ("dossier", "Équipements et ENT d'un côté, usages pédagogiques de l'autre"),
    "tools.tickets": ("weekday", "Chacun relève les tickets les jours où il est présent"),
    "tools.ent_usage": ("project", "Selon les projets des équipes disciplinaires"),
}


@dataclass(frozen=True)
class SchoolSpec:
    uai: str
    name: str
    kind: str
    commune: str
    postal_code: str
    departement: str  # "21"
    latitude: Decimal | None = None  # WGS 84, from the open data files (the dashboard's map)
    longitude: Decimal | None = None

    @property
    def collectivity(self) -> str:
        return f"CD{self.departement}" if self.kind == School.Kind.COLLEGE else REGION_CODE


@dataclass(frozen=True)
class PersonSpec:
    first_name: str
    last_name: str
    email: str
    status: str
    leaving: bool = False
    full_service_cpge: bool = False


@dataclass(frozen=True)
class AccountSpec:
    email: str
    first_name: str
    last_name: str


@dataclass
class PlanSpec:
    """One plan for DEMO_YEAR: holders are staff e-mail addresses; services are (name, holders)."""

    submit: bool
    has_tablets: bool = False
    rows: dict[str, list[str]] = field(default_factory=dict)
    services: list[tuple[str, list[str]]] = field(default_factory=list)
    pattern: str = ""


@dataclass
class Demo:
    schools: list[SchoolSpec]
    staff: dict[str, list[PersonSpec]]  # by UAI
    principals: dict[str, AccountSpec]  # by UAI
    plans: dict[str, PlanSpec]  # by UAI
    referent: AccountSpec
    referent_person_email: str
    accounts: dict[str, AccountSpec]  # dane, rectorat, collectivite, admin
    from_files: bool


# --- reading the open data ---------------------------------------------------------------------------------


def default_data_dir() -> Path:
    return Path(settings.BASE_DIR).parent / "shared" / "data"


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [
            {(k or "").strip(): (v or "").strip() for k, v in row.items()}
            for row in csv.DictReader(handle, delimiter=";")
        ]


def _departement_code(value: str) -> str:
    """ "021" and "21" both give "21"."""
    return value.lstrip("0").zfill(2)


def _coordinates(row: dict[str, str]) -> tuple[Decimal | None, Decimal | None]:
    """The row's latitude and longitude, as the directory import reads them (None when missing or unreadable)."""
    try:
        return parse_coordinates(row.get("latitude", ""), row.get("longitude", "")) or (None, None)
    except ValueError:
        return None, None


def read_public_colleges(path: Path) -> list[SchoolSpec]:
    """The open public collèges of the file with a valid UAI, in UAI order."""
    colleges = []
    for row in _read_csv(path):
        public = row.get("secteur_public_prive_libe", "").lower() == "public" or (
            row.get("secteur_prive_code_type_contrat") == "99"
        )
        uai = row.get("numero_uai", "").upper()
        departement = _departement_code(row.get("code_departement", ""))
        if not (
            public
            and row.get("nature_uai") == "340"
            and row.get("etat_etablissement_libe", "OUVERT") == "OUVERT"
            and departement in DEPARTEMENTS
            and is_valid_uai(uai)
            and row.get("appellation_officielle")
        ):
            continue
        colleges.append(
            SchoolSpec(
                uai=uai,
                name=row["appellation_officielle"],
                kind=School.Kind.COLLEGE,
                commune=row.get("libelle_commune", ""),
                postal_code=row.get("code_postal_uai", "")[:5],
                departement=departement,
                latitude=_coordinates(row)[0],
                longitude=_coordinates(row)[1],
            )
        )
    return sorted(colleges, key=lambda s: s.uai)


LYCEE_KINDS = {"300": School.Kind.LYCEE, "306": School.Kind.LYCEE_POLY, "320": School.Kind.LYCEE_PRO}


def read_public_lycees(path: Path) -> list[SchoolSpec]:
    """The open public lycées (LGT, polyvalents, LP) of the Éducation nationale, in UAI order.

    Sections and SEGPA (code_nature 334, 335, 390) and the agricultural lycées (ministry of agriculture) are left
    out.
    """
    lycees = []
    for row in _read_csv(path):
        kind = LYCEE_KINDS.get(row.get("code_nature", ""))
        uai = row.get("Identifiant_de_l_etablissement", "").upper()
        departement = _departement_code(row.get("Code_departement", ""))
        public = row.get("Statut_public_prive", "").lower() == "public" or row.get("Code_type_contrat_prive") == "99"
        ministry = row.get("ministere_tutelle", "MINISTERE DE L'EDUCATION NATIONALE").upper()
        if not (
            kind
            and public
            and "EDUCATION NATIONALE" in ministry
            and row.get("etat", "OUVERT") == "OUVERT"
            and departement in DEPARTEMENTS
            and is_valid_uai(uai)
            and row.get("Nom_etablissement")
        ):
            continue
        lycees.append(
            SchoolSpec(
                uai=uai,
                name=row["Nom_etablissement"],
                kind=kind,
                commune=row.get("Nom_commune", ""),
                postal_code=row.get("Code_postal", "")[:5],
                departement=departement,
                latitude=_coordinates(row)[0],
                longitude=_coordinates(row)[1],
            )
        )
    return sorted(lycees, key=lambda s: s.uai)


# --- building the demo, in plain Python ----------------------------------------------------------------------


def email_slug(text: str) -> str:
    """ "Jean-Marc" -> "jean-marc", "Lefèvre" -> "lefevre", "Prud'hon" -> "prudhon"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return "".join(c for c in ascii_text.replace(" ", "-") if c.isalnum() or c == "-")


class _UaiMaker:
    """Valid UAIs 0DD9nnn + letter, never one of the real ones."""

    def __init__(self, taken: set[str]):
        self.taken = set(taken)
        self.next_number = dict.fromkeys(DEPARTEMENTS, 1)

    def make(self, departement: str) -> str:
        while True:
            digits = f"0{departement}9{self.next_number[departement]:03d}"
            self.next_number[departement] += 1
            uai = digits + uai_check_letter(digits)
            if uai not in self.taken:
                self.taken.add(uai)
                return uai


def _communes(departement: str) -> Iterator[tuple[str, str]]:
    while True:
        yield from COMMUNES[departement]


def _select_schools(rng: random.Random, data_dir: Path | None) -> tuple[list[SchoolSpec], bool]:
    colleges_path = data_dir / COLLEGES_FILE if data_dir else None
    annuaire_path = data_dir / ANNUAIRE_FILE if data_dir else None
    from_files = bool(colleges_path and colleges_path.is_file() and annuaire_path and annuaire_path.is_file())
    real_colleges = read_public_colleges(colleges_path) if from_files else []
    real_lycees = read_public_lycees(annuaire_path) if from_files else []

    demo_uai, demo_name, demo_commune, demo_postal, demo_dep = DEMO_SCHOOL
    anchor = next(
        (s for s in real_colleges if s.uai == demo_uai),
        SchoolSpec(demo_uai, demo_name, School.Kind.COLLEGE, demo_commune, demo_postal, demo_dep),
    )
    uais = _UaiMaker({s.uai for s in real_colleges + real_lycees} | {anchor.uai})
    communes = {code: _communes(code) for code in DEPARTEMENTS}

    schools = [anchor]
    for code in DEPARTEMENTS:
        wanted = COLLEGES_PER_DEPARTEMENT - (1 if code == anchor.departement else 0)
        pool = [s for s in real_colleges if s.departement == code and s.uai != anchor.uai]
        chosen = sorted(rng.sample(pool, min(wanted, len(pool))), key=lambda s: s.uai)
        names = iter(COLLEGE_NAMES)
        while len(chosen) < wanted:
            commune, postal = next(communes[code])
            name = f"Collège {next(names)}"
            chosen.append(SchoolSpec(uais.make(code), name, School.Kind.COLLEGE, commune, postal, code))
        schools.extend(chosen)

    real_names = {s.name.casefold() for s in real_colleges + real_lycees}
    schools.extend(real_lycees)
    for kind, names in ((School.Kind.LYCEE, LYCEE_NAMES), (School.Kind.LYCEE_PRO, LYCEE_PRO_NAMES)):
        missing = LYCEES_PER_KIND - sum(1 for s in real_lycees if s.kind == kind)
        candidates = [entry for entry in names if entry[0].casefold() not in real_names]
        for name, commune, postal, code in candidates[: max(missing, 0)]:
            schools.append(SchoolSpec(uais.make(code), name, kind, commune, postal, code))
    return schools, from_files


def _make_staff(
    rng: random.Random, school: SchoolSpec, used_emails: set[str], *, leaving: int, cpge: bool
) -> list[PersonSpec]:
    size = rng.randint(8, 15)
    statuses = [Person.Status.LIBRARIAN, Person.Status.CPE, Person.Status.OTHER]
    statuses += [Person.Status.TEACHER] * (size - len(statuses))
    names: set[tuple[str, str]] = set()
    while len(names) < size:
        names.add((rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)))
    ordered = sorted(names)
    rng.shuffle(ordered)
    teacher_indexes = [i for i, status in enumerate(statuses) if status == Person.Status.TEACHER]
    leaving_indexes = set(rng.sample(teacher_indexes, leaving))
    cpge_index = next((i for i in teacher_indexes if i not in leaving_indexes), None) if cpge else None
    staff = []
    for index, ((first, last), status) in enumerate(zip(ordered, statuses, strict=True)):
        local = f"{email_slug(first)}.{email_slug(last)}"
        email, suffix = f"{local}@{STAFF_DOMAIN}", 1
        while email in used_emails:  # ac-dijon.fr addresses are unique across the académie
            suffix += 1
            email = f"{local}{suffix}@{STAFF_DOMAIN}"
        used_emails.add(email)
        staff.append(
            PersonSpec(
                first_name=first,
                last_name=last,
                email=email,
                status=status,
                leaving=index in leaving_indexes,
                full_service_cpge=index == cpge_index,
            )
        )
    return staff


def _account(rng: random.Random, email: str) -> AccountSpec:
    return AccountSpec(email=email, first_name=rng.choice(FIRST_NAMES), last_name=rng.choice(LAST_NAMES))


class _Picker:
    """Chooses holders among a school's referents; a row held by one person never falls on a leaving one."""

    def __init__(self, rng: random.Random, referents: list[PersonSpec]):
        self.rng = rng
        self.referents = referents
        self.stable = [p for p in referents if not p.leaving]

    def one(self) -> list[str]:
        return [self.rng.choice(self.stable).email]

    def some(self, low: int, high: int) -> list[str]:
        count = min(self.rng.randint(low, high), len(self.referents))
        if count <= 1:
            return self.one()
        return sorted(p.email for p in self.rng.sample(self.referents, count))


def _referents(rng: random.Random, staff: list[PersonSpec]) -> list[PersonSpec]:
    """Two to four referents, teachers and sometimes the professeur documentaliste, at most one leaving."""
    eligible = [p for p in staff if p.status == Person.Status.TEACHER and not p.full_service_cpge]
    if rng.random() < 0.4:
        eligible += [p for p in staff if p.status == Person.Status.LIBRARIAN]
    stable = [p for p in eligible if not p.leaving]
    chosen = rng.sample(stable, min(rng.randint(2, 3), len(stable)))
    leaving = [p for p in eligible if p.leaving]
    if leaving and rng.random() < 0.3:
        chosen.append(rng.choice(leaving))
    return chosen


def _full_plan(rng: random.Random, school: SchoolSpec, referents: list[PersonSpec]) -> PlanSpec:
    """A plan that satisfies every blocking rule (and most of the others)."""
    pick = _Picker(rng, referents)
    authorized = school.collectivity == DEMO_COLLECTIVITY
    plan = PlanSpec(submit=True, has_tablets=rng.random() < 0.4)
    plan.rows = {
        "support_teams": pick.some(1, 3),
        "advise_principal": pick.some(1, 2),
        "communicate": pick.one(),
        "tools.collectivity_link": pick.one(),
        "tools.tickets": pick.some(1, 2),
        "tools.ent_admin": pick.one(),
        "tools.ent_usage": pick.some(1, 2),
        "tools.website": pick.one(),
    }
    if authorized:
        plan.rows["tools.amon"] = pick.one()
        plan.rows["tools.accounts"] = pick.one()
    if plan.has_tablets and authorized:
        plan.rows["tools.tablets"] = pick.some(1, 2)
    if school.kind == School.Kind.COLLEGE:
        plan.services.append(("BRNE", pick.one()))
    if rng.random() < 0.5:
        plan.services.append(("Pearltrees", pick.one()))
    return plan


BLOCKING_CODES = ["support_teams", "advise_principal", "communicate", "tools.collectivity_link", "tools.ent_admin"]


def _draft_plan(rng: random.Random, school: SchoolSpec, referents: list[PersonSpec]) -> PlanSpec:
    """A draft half filled in: one to three blocking rows left empty, a few others too."""
    plan = _full_plan(rng, school, referents)
    plan.submit = False
    plan.pattern = "draft"
    for code in rng.sample(BLOCKING_CODES, rng.randint(1, 3)):
        plan.rows.pop(code)
    for code in ("tools.tickets", "tools.ent_usage", "tools.website", "tools.tablets"):
        if rng.random() < 0.5:
            plan.rows.pop(code, None)
    if rng.random() < 0.5:
        plan.services = []
    return plan


def _single_holder_plan(school: SchoolSpec, person: PersonSpec) -> PlanSpec:
    """One person holds everything: the continuity warning."""
    plan = PlanSpec(submit=True, pattern="single_holder")
    codes = ["support_teams", "advise_principal", "communicate", "tools.collectivity_link", "tools.tickets"]
    codes += ["tools.ent_admin", "tools.ent_usage", "tools.website"]
    if school.collectivity == DEMO_COLLECTIVITY:
        codes += ["tools.amon", "tools.accounts"]
    plan.rows = {code: [person.email] for code in codes}
    return plan


def _demo_school_plan(staff: list[PersonSpec], referent: PersonSpec) -> PlanSpec:
    """The principal's draft: one blocking rule fails (no ENT administrator), and several warnings show."""
    others = [p for p in staff if p.status == Person.Status.TEACHER and not p.leaving and p is not referent]
    second, third = others[0], others[1]
    leaving = next(p for p in staff if p.leaving)
    plan = PlanSpec(submit=False, has_tablets=True, pattern="demo")
    plan.rows = {
        "support_teams": sorted([referent.email, second.email]),
        "advise_principal": [referent.email],
        "communicate": [referent.email],
        "tools.collectivity_link": [second.email],
        "tools.tickets": sorted([second.email, third.email]),
        "tools.amon": [referent.email],
        "tools.accounts": [second.email],
        "tools.ent_usage": [third.email],
        "tools.website": [leaving.email],  # warning: held only by someone leaving
        # tools.tablets left empty although the school declares tablets: warning
        # tools.ent_admin left empty: the one blocking rule
    }
    plan.services = [("BRNE", [referent.email]), ("Pearltrees", sorted([second.email, third.email]))]
    return plan


def build_demo(data_dir: Path | None) -> Demo:
    """Everything the demo holds, decided from the files (or built-in lists) and the seed alone."""
    rng = random.Random(SEED)
    schools, from_files = _select_schools(rng, data_dir)
    demo_school = schools[0]
    others = sorted(schools[1:], key=lambda s: s.uai)

    # A third without a plan, a third in draft, a third submitted; two submitted ones show the continuity warnings.
    shuffled = others[:]
    rng.shuffle(shuffled)
    third = len(shuffled) // 3
    no_plan = {s.uai for s in shuffled[:third]}
    drafts = {s.uai for s in shuffled[third : 2 * third]}
    submitted = shuffled[2 * third :]
    single_holder = next(s for s in submitted if s.kind == School.Kind.COLLEGE)
    leaving_holder = next(s for s in submitted if s.kind != School.Kind.COLLEGE)
    cpge_school = next(s for s in schools if s.kind == School.Kind.LYCEE)

    used_emails: set[str] = set()
    staff: dict[str, list[PersonSpec]] = {}
    for school in schools:
        leaving = 1 if school.uai in (demo_school.uai, leaving_holder.uai) else rng.choice([0, 1, 1, 2])
        staff[school.uai] = _make_staff(rng, school, used_emails, leaving=leaving, cpge=school == cpge_school)

    principals = {s.uai: _account(rng, f"principal.{s.uai.lower()}@{DEMO_DOMAIN}") for s in others}
    principals[demo_school.uai] = _account(rng, f"principal@{DEMO_DOMAIN}")

    plans: dict[str, PlanSpec] = {}
    for school in others:
        if school.uai in no_plan:
            continue
        referents = _referents(rng, staff[school.uai])
        if school == single_holder:
            plans[school.uai] = _single_holder_plan(school, referents[0])
        elif school == leaving_holder:
            plan = _full_plan(rng, school, referents)
            leaving = next(p for p in staff[school.uai] if p.leaving)
            plan.rows["tools.website"] = [leaving.email]
            plan.pattern = "leaving_holder"
            plans[school.uai] = plan
        elif school.uai in drafts:
            plans[school.uai] = _draft_plan(rng, school, referents)
        else:
            plans[school.uai] = _full_plan(rng, school, referents)

    demo_staff = staff[demo_school.uai]
    referent_person = next(p for p in demo_staff if p.status == Person.Status.TEACHER and not p.leaving)
    plans[demo_school.uai] = _demo_school_plan(demo_staff, referent_person)

    return Demo(
        schools=schools,
        staff=staff,
        principals=principals,
        plans=plans,
        referent=AccountSpec(f"referent@{DEMO_DOMAIN}", referent_person.first_name, referent_person.last_name),
        referent_person_email=referent_person.email,
        accounts={
            "dane": AccountSpec(f"dane@{DEMO_DOMAIN}", "Delphine", "Garnier"),
            "rectorat": AccountSpec(f"rectorat@{DEMO_DOMAIN}", "Régis", "Vautrin"),
            "collectivite": AccountSpec(f"collectivite@{DEMO_DOMAIN}", "Corinne", "Mathey"),
            "admin": AccountSpec(f"admin@{DEMO_DOMAIN}", "Alain", "Administrateur"),
        },
        from_files=from_files,
    )


# --- writing it ----------------------------------------------------------------------------------------------


@dataclass
class LoadResult:
    created: dict[str, int]
    demo_school: School
    referent_person: Person
    collectivity: Collectivity
    accounts: dict[str, str]  # role key -> e-mail

    @property
    def created_anything(self) -> bool:
        return any(self.created.values())


def _get_or_create(model, counter: dict[str, int], label: str, defaults=None, **lookup):
    obj, created = model.objects.get_or_create(defaults=defaults or {}, **lookup)
    counter[label] = counter.get(label, 0) + int(created)
    return obj


def _row_inputs(
    plan: AllocationPlan, spec: PlanSpec, people: dict[str, int], new_service: tuple[str, list[str]] | None
) -> list[RowInput]:
    """Every row of the plan as the principal would type it, plus at most one new service row."""
    services = dict(spec.services)
    inputs = []
    for row in plan.rows.select_related("mission").order_by("mission__position", "pk"):
        code = row.mission.code
        holders = services.get(row.service_name, []) if row.service_name else spec.rows.get(code, [])
        sharing, detail = SHARING_DETAILS.get(code, ("", "")) if len(holders) > 1 else ("", "")
        inputs.append(
            RowInput(
                mission_code=code,
                row_id=row.pk,
                service_name=row.service_name,
                organisation=row.organisation,
                sharing=sharing,
                sharing_detail=detail,
                holder_ids={people[email] for email in holders},
            )
        )
    if new_service:
        name, holders = new_service
        inputs.append(
            RowInput(
                mission_code="tools.services",
                service_name=name,
                organisation=SERVICE_ORGANISATION,
                holder_ids={people[email] for email in holders},
            )
        )
    return inputs


def _build_plan(school: School, year: SchoolYear, spec: PlanSpec, people: dict[str, int], principal: User) -> None:
    plan = plan_get_or_create(school=school, school_year=year)
    # plan_save adds one new service row per call: two new rows at once collide on the row's unique key.
    pending: list[tuple[str, list[str]] | None] = list(spec.services) or [None]
    for new_service in pending:
        plan = plan_save(
            plan=plan,
            expected_version=plan.version,
            has_tablets=spec.has_tablets,
            rows=_row_inputs(plan, spec, people, new_service),
            by=principal,
        )
    if spec.submit:
        plan_submit(plan=plan, by=principal)


def _write(demo: Demo) -> LoadResult:
    created: dict[str, int] = {}

    # Académie, départements, collectivités, years.
    academie = _get_or_create(Academie, created, "académie", {"name": ACADEMIE[1]}, code=ACADEMIE[0])
    departements = {
        code: _get_or_create(Departement, created, "départements", {"name": name, "academie": academie}, code=code)
        for code, name in DEPARTEMENTS.items()
    }
    collectivities = {
        f"CD{code}": _get_or_create(
            Collectivity,
            created,
            "collectivités",
            {"name": name, "kind": Collectivity.Kind.DEPARTEMENT},
            code=f"CD{code}",
        )
        for code, name in DEPARTEMENT_COUNCILS.items()
    }
    collectivities[REGION_CODE] = _get_or_create(
        Collectivity,
        created,
        "collectivités",
        {"name": REGION_NAME, "kind": Collectivity.Kind.REGION},
        code=REGION_CODE,
    )
    before = SchoolYear.objects.count()
    current_year = SchoolYear.current()
    demo_year, _created = SchoolYear.objects.get_or_create(start_year=DEMO_YEAR)
    created["années scolaires"] = SchoolYear.objects.count() - before
    years = sorted({current_year.pk: current_year, demo_year.pk: demo_year}.values(), key=lambda y: y.start_year)

    # Schools.
    uais = [s.uai for s in demo.schools]
    existing = set(School.objects.filter(uai__in=uais).values_list("uai", flat=True).order_by())
    new_schools = [
        School(
            uai=s.uai,
            name=s.name,
            kind=s.kind,
            commune=s.commune,
            postal_code=s.postal_code,
            departement=departements[s.departement],
            collectivity=collectivities[s.collectivity],
            latitude=s.latitude,
            longitude=s.longitude,
        )
        for s in demo.schools
        if s.uai not in existing
    ]
    School.objects.bulk_create(new_schools)
    created["établissements"] = len(new_schools)
    schools = {s.uai: s for s in School.objects.filter(uai__in=uais)}
    # A demo loaded before the map had no coordinates: give them, once (a second run finds them there).
    located = []
    for spec in demo.schools:
        school = schools[spec.uai]
        if spec.latitude is not None and school.latitude is None:
            school.latitude, school.longitude = spec.latitude, spec.longitude
            located.append(school)
    School.objects.bulk_update(located, ["latitude", "longitude"])

    # Staff, looked up by (school, e-mail).
    existing_people = set(
        Person.objects.filter(school__uai__in=uais)
        .annotate(lower_email=Lower("email"))
        .values_list("school__uai", "lower_email")
        .order_by()
    )
    new_people = [
        Person(
            school=schools[uai],
            first_name=p.first_name,
            last_name=p.last_name,
            email=p.email,
            status=p.status,
            leaving=p.leaving,
            full_service_cpge=p.full_service_cpge,
        )
        for uai, people in demo.staff.items()
        for p in people
        if (uai, p.email) not in existing_people
    ]
    Person.objects.bulk_create(new_people)
    created["personnels"] = len(new_people)
    person_ids: dict[str, dict[str, int]] = {uai: {} for uai in uais}
    for pk, uai, email in (
        Person.objects.filter(school__uai__in=uais)
        .annotate(lower_email=Lower("email"))
        .values_list("pk", "school__uai", "lower_email")
        .order_by("pk")
    ):
        person_ids[uai].setdefault(email, pk)

    # Accounts: one password hash for all (hashing is the slow part), set only on creation.
    specs = {a.email: (a, {}) for a in demo.principals.values()}
    specs[demo.referent.email] = (demo.referent, {})
    for key, account in demo.accounts.items():
        specs[account.email] = (account, {"is_staff": True, "is_superuser": True} if key == "admin" else {})
    existing_emails = set(User.objects.filter(email__in=list(specs)).values_list("email", flat=True).order_by())
    if len(existing_emails) < len(specs):
        password = make_password(DEMO_PASSWORD)
        new_users = [
            User(email=email, first_name=a.first_name, last_name=a.last_name, password=password, **extra)
            for email, (a, extra) in specs.items()
            if email not in existing_emails
        ]
        User.objects.bulk_create(new_users)
        created["comptes"] = len(new_users)
    users = {u.email: u for u in User.objects.filter(email__in=list(specs))}

    demo_school = schools[demo.schools[0].uai]
    collectivity = collectivities[DEMO_COLLECTIVITY]
    wanted_roles = [
        Role(user=users[a.email], kind=Role.Kind.PRINCIPAL, school=schools[uai]) for uai, a in demo.principals.items()
    ]
    wanted_roles += [
        Role(user=users[demo.referent.email], kind=Role.Kind.REFERENT, school=demo_school),
        Role(user=users[demo.accounts["dane"].email], kind=Role.Kind.DANE, academie=academie),
        Role(user=users[demo.accounts["rectorat"].email], kind=Role.Kind.RECTORAT, academie=academie),
        Role(user=users[demo.accounts["collectivite"].email], kind=Role.Kind.COLLECTIVITY, collectivity=collectivity),
    ]
    existing_roles = set(
        Role.objects.filter(user__in=users.values())
        .values_list("user_id", "kind", "school_id", "academie_id", "collectivity_id")
        .order_by()
    )
    new_roles = [
        r
        for r in wanted_roles
        if (r.user_id, r.kind, r.school_id, r.academie_id, r.collectivity_id) not in existing_roles
    ]
    bulk_create_with_history(new_roles, Role)  # the audit records each role (README "Audit")
    created["rôles"] = len(new_roles)

    referent_person = Person.objects.get(pk=person_ids[demo_school.uai][demo.referent_person_email])
    if referent_person.user_id is None:
        referent_person.user = users[demo.referent.email]
        referent_person.save(update_fields=["user"])
        created["personnels liés à un compte"] = 1

    # The collectivité of the demo authorizes AMON and account management for all its schools.
    for year in years:
        for number, action in enumerate(AUTHORIZED_ACTIONS, start=1):
            _get_or_create(
                AuthorizedAction,
                created,
                "actions autorisées",
                {
                    "convention_reference": f"{DEMO_COLLECTIVITY}-NUM-{year.start_year}-{number:02d}",
                    "convention_date": datetime.date(year.start_year, 6, 30),
                },
                collectivity=collectivity,
                school_year=year,
                action=action,
                school=None,
            )

    # Plans, only for schools that have none for the demo year.
    with_plan = set(
        AllocationPlan.objects.filter(school_year=demo_year).values_list("school__uai", flat=True).order_by()
    )
    created["plans"] = 0
    for school_spec in demo.schools:
        uai = school_spec.uai
        spec = demo.plans.get(uai)
        if spec is None or uai in with_plan:
            continue
        _build_plan(schools[uai], demo_year, spec, person_ids[uai], users[demo.principals[uai].email])
        created["plans"] += 1

    created |= missions_demo.load(
        academie=academie,
        school=demo_school,
        referent_person=referent_person,
        referent=users[demo.referent.email],
        principal=users[demo.principals[demo_school.uai].email],
        dane=users[demo.accounts["dane"].email],
    )
    load_imp_demo(
        schools=list(schools.values()),
        demo_school=demo_school,
        year=demo_year,
        principal=users[demo.principals[demo_school.uai].email],
        rectorat=users[demo.accounts["rectorat"].email],
        referent_person=referent_person,
        created=created,
    )
    load_recognition_demo(
        school=demo_school,
        year=demo_year,
        referent_person=referent_person,
        principal=users[demo.principals[demo_school.uai].email],
        dane=users[demo.accounts["dane"].email],
        created=created,
    )
    load_badges_demo(
        academie=academie,
        year=demo_year,
        referent_user=users[demo.referent.email],
        dane=users[demo.accounts["dane"].email],
        created=created,
    )

    teacher = load_helpdesk_demo(
        school=demo_school,
        year=demo_year,
        referent_person=referent_person,
        referent=users[demo.referent.email],
        password=DEMO_PASSWORD,
        created=created,
    )

    return LoadResult(
        created=created,
        demo_school=demo_school,
        referent_person=referent_person,
        collectivity=collectivity,
        accounts={key: account.email for key, account in demo.accounts.items()}
        | {"principal": demo.principals[demo_school.uai].email, "referent": demo.referent.email, "teacher": teacher},
    )


DUMMY_EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"


@contextmanager
def _nobody_emailed() -> Iterator[None]:
    """Run the submission e-mail tasks in this process, into the dummy e-mail backend, without logging each one.

    Even with a real broker and SMTP server configured, loading the demo never e-mails the made-up staff.
    """
    if hasattr(settings, "MAILERS"):  # Django 6.1's MAILERS, or the deprecated EMAIL_BACKEND
        mailers = {alias: {"BACKEND": DUMMY_EMAIL_BACKEND} for alias in settings.MAILERS}
        email_settings = {"MAILERS": mailers | {"default": {"BACKEND": DUMMY_EMAIL_BACKEND}}}
    else:
        email_settings = {"EMAIL_BACKEND": DUMMY_EMAIL_BACKEND}
    task_logger = logging.getLogger("celery.app.trace")
    eager, level = celery_app.conf.task_always_eager, task_logger.level
    celery_app.conf.task_always_eager = True
    task_logger.setLevel(logging.WARNING)
    try:
        with override_settings(**email_settings):
            yield
    finally:
        celery_app.conf.task_always_eager = eager
        task_logger.setLevel(level)


def load_demo(demo: Demo) -> LoadResult:
    """Write the demo in one transaction (the submission e-mail tasks run on its commit, into the void)."""
    with _nobody_emailed(), transaction.atomic():
        return _write(demo)
