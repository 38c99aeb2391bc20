"""Read STS-web's staff export, sts_emp_<UAI>_<année>.xml: the school, the year and the people of its services.

STS-web (the ministry's application where each school declares its services) exports this file from
"Mise à jour" → "Exports" → "Emploi du temps"; Gepi and SACoche import it too. What we read of it:

    <STS_EDT>
      <PARAMETRES>
        <UAJ CODE="0211526V"/>
        <ANNEE_SCOLAIRE ANNEE="2026"/>              (2026 = the school year 2026-2027)
      </PARAMETRES>
      <DONNEES>
        <INDIVIDUS>
          <INDIVIDU ID="4189" TYPE="epp">           (TYPE "epp": from the ministry's files; "local": added by
            <NOM_USAGE>MARTIN</NOM_USAGE>            the school in STS-web)
            <NOM_PATRONYMIQUE>MARTIN</NOM_PATRONYMIQUE>
            <PRENOM>CLAUDE</PRENOM>
            <SEXE>2</SEXE> <CIVILITE>2</CIVILITE> <DATE_NAISSANCE>…</DATE_NAISSANCE>   (never kept)
            <GRADE>CERTIFIE CL NORM.</GRADE>
            <FONCTION>ENS</FONCTION>
            <DISCIPLINES><DISCIPLINE CODE="L0202"><LIBELLE_COURT>LETTRES MODERNES</LIBELLE_COURT>…</DISCIPLINE>
            </DISCIPLINES>
          </INDIVIDU>
        </INDIVIDUS>
        (STRUCTURES, MATIERES, SERVICES… : ignored)

The file is read with defusedxml's SAX parser: no DTD, no entity, no external resource (an "XML bomb" is
refused at its DOCTYPE, before anything is expanded), at most MAX_BYTES. Any problem refuses the whole file
with the element and its line. Birth dates, sex and civility are skipped as they are read: nothing keeps them.
"""

import xml.sax
from dataclasses import dataclass, field

from defusedxml import DefusedXmlException
from defusedxml.sax import parseString
from django.utils.translation import gettext as _

from rupn.lib.errors import DomainError
from schools.models import Person
from schools.staff_import import normalize

MAX_BYTES = 10 * 1024 * 1024
MAX_PEOPLE = 5_000

# STS-web's FONCTION codes (Gepi's parser imports "ENS" as teachers; the others are STS-web's codes of the
# non-teaching services). Any other code (ADF administration, SUR surveillance, ORI orientation, MDS
# médico-social, LAB laboratoire, OUV ouvrier…) is "other".
FONCTION_STATUSES = {
    "ENS": Person.Status.TEACHER,
    "DOC": Person.Status.LIBRARIAN,
    "EDU": Person.Status.CPE,
    "DIR": Person.Status.DIRECTION,
}
FONCTION_LABELS = {
    "ENS": _("enseignement"),
    "DOC": _("documentation"),
    "EDU": _("éducation"),
    "DIR": _("direction"),
}
PERSON_TYPES = ("epp", "local")

_LAST_NAME_MAX = Person._meta.get_field("last_name").max_length
_FIRST_NAME_MAX = Person._meta.get_field("first_name").max_length
_DISCIPLINE_MAX = Person._meta.get_field("discipline").max_length
_STS_ID_MAX = Person._meta.get_field("sts_id").max_length
# The children of INDIVIDU whose text we keep; DATE_NAISSANCE, SEXE, CIVILITE are never collected.
_KEPT = {"NOM_USAGE", "NOM_PATRONYMIQUE", "PRENOM", "FONCTION", "GRADE"}


@dataclass(frozen=True)
class StsPerson:
    """One INDIVIDU of the file, as RUPN keeps it."""

    sts_id: str
    last_name: str
    first_name: str
    status: str
    fonction: str
    discipline: str
    line: int

    def as_dict(self) -> dict:
        return {
            "sts_id": self.sts_id,
            "last_name": self.last_name,
            "first_name": self.first_name,
            "status": str(self.status),
            "fonction": self.fonction,
            "discipline": self.discipline,
            "line": self.line,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "StsPerson":
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})


@dataclass
class StsFile:
    uai: str
    year: int
    people: list[StsPerson] = field(default_factory=list)


class StsImportError(DomainError):
    """The file was refused whole."""


def nice_name(text: str) -> str:
    """STS-web writes names in capitals: "DE LA FONTAINE-MARTIN" -> "De La Fontaine-Martin", "O'NEIL" -> "O'Neil"."""
    words = " ".join(text.split())
    if not words.isupper():
        return words
    out, start = [], True
    for char in words.lower():
        out.append(char.upper() if start else char)
        start = char in " -'’"
    return "".join(out)


class _Handler(xml.sax.ContentHandler):
    def __init__(self):
        super().__init__()
        self.path: list[str] = []
        self.uai = ""
        self.year = ""
        self.people: list[StsPerson] = []
        self.problems: list[str] = []
        self._person: dict | None = None
        self._text: list[str] | None = None
        self._disciplines: list[str] = []
        self._in_discipline = False
        self.locator = None

    def setDocumentLocator(self, locator):
        self.locator = locator

    @property
    def line(self) -> int:
        return self.locator.getLineNumber() if self.locator else 0

    def problem(self, text: str, line: int | None = None) -> None:
        self.problems.append(_("Ligne %(line)d : %(text)s") % {"line": line or self.line, "text": text})
        if len(self.problems) >= 50:
            raise StsImportError(_("Le fichier n'a pas été importé."), messages=self.problems)

    def startElement(self, name, attrs):
        self.path.append(name)
        depth = len(self.path)
        if depth == 1 and name != "STS_EDT":
            raise StsImportError(
                _("Ce fichier n'est pas un export STS-web : son élément racine est <%(name)s>, pas <STS_EDT>.")
                % {"name": name},
                messages=[_("Ligne %(line)d : élément <%(name)s>.") % {"line": self.line, "name": name}],
            )
        where = self.path[1:]
        if where == ["PARAMETRES", "UAJ"]:
            self.uai = (attrs.get("CODE") or "").strip().upper()
        elif where == ["PARAMETRES", "ANNEE_SCOLAIRE"]:
            self.year = (attrs.get("ANNEE") or "").strip()
        elif where == ["DONNEES", "INDIVIDUS", "INDIVIDU"]:
            self._person = {
                "line": self.line,
                "id": (attrs.get("ID") or "").strip(),
                "type": (attrs.get("TYPE") or "").strip().lower(),
            }
            self._disciplines = []
        elif self._person is not None and depth == 5 and name in _KEPT:
            self._text = []
        elif self._person is not None and where[3:] == ["DISCIPLINES", "DISCIPLINE"]:
            self._in_discipline = True
        elif self._in_discipline and name == "LIBELLE_COURT":
            self._text = []

    def characters(self, content):
        if self._text is not None:
            self._text.append(content)

    def endElement(self, name):
        where = self.path[1:]
        if self._text is not None:
            text = " ".join("".join(self._text).split())
            self._text = None
            if self._in_discipline and name == "LIBELLE_COURT":
                if text:
                    self._disciplines.append(text)
            elif self._person is not None:
                self._person[name] = text
        if where[3:] == ["DISCIPLINES", "DISCIPLINE"]:
            self._in_discipline = False
        if where == ["DONNEES", "INDIVIDUS", "INDIVIDU"] and self._person is not None:
            self._finish_person(self._person)
            self._person = None
        self.path.pop()

    def _finish_person(self, data: dict) -> None:
        line = data["line"]
        found = len(self.problems)
        if not data["id"]:
            self.problem(_("l'élément <INDIVIDU> n'a pas d'attribut ID."), line)
        if data["type"] not in PERSON_TYPES:
            self.problem(
                _("l'élément <INDIVIDU> a le TYPE « %(value)s » ; valeurs possibles : epp, local.")
                % {"value": data["type"]},
                line,
            )
        last_name = nice_name(data.get("NOM_USAGE") or data.get("NOM_PATRONYMIQUE") or "")
        first_name = nice_name(data.get("PRENOM") or "")
        if not last_name:
            self.problem(_("l'élément <INDIVIDU> n'a ni <NOM_USAGE> ni <NOM_PATRONYMIQUE>."), line)
        if not first_name:
            self.problem(_("l'élément <INDIVIDU> n'a pas de <PRENOM>."), line)
        for value, label, limit in (
            (last_name, "NOM_USAGE", _LAST_NAME_MAX),
            (first_name, "PRENOM", _FIRST_NAME_MAX),
        ):
            if len(value) > limit:
                self.problem(
                    _("<%(element)s> dépasse %(max)d caractères.") % {"element": label, "max": limit},
                    line,
                )
        sts_id = f"{data['type']}:{data['id']}"
        if len(sts_id) > _STS_ID_MAX:
            self.problem(_("l'attribut ID de <INDIVIDU> est trop long."), line)
        if len(self.problems) > found:
            return
        fonction = (data.get("FONCTION") or "").upper()
        self.people.append(
            StsPerson(
                sts_id=sts_id,
                last_name=last_name,
                first_name=first_name,
                status=FONCTION_STATUSES.get(fonction, Person.Status.OTHER),
                fonction=fonction,
                discipline=", ".join(dict.fromkeys(self._disciplines))[:_DISCIPLINE_MAX],
                line=line,
            )
        )
        if len(self.people) > MAX_PEOPLE:
            raise StsImportError(
                _("Le fichier compte plus de %(max)s personnes : ce n'est pas l'export d'un établissement.")
                % {"max": "5 000"}
            )


def parse_sts_emp(data: bytes) -> StsFile:
    """The school, year and people of the file, or StsImportError naming each problem with its line."""
    if len(data) > MAX_BYTES:
        raise StsImportError(
            _("Le fichier dépasse 10 Mo : ce n'est pas l'export STS-web d'un établissement (sts_emp_….xml).")
        )
    if not data.strip():
        raise StsImportError(_("Le fichier est vide."))
    handler = _Handler()
    try:
        parseString(data, handler, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise StsImportError(
            _(
                "Le fichier est refusé : il déclare une DTD ou des entités (ligne %(line)d), ce que STS-web "
                "n'écrit jamais. Exportez à nouveau le fichier depuis STS-web."
            )
            % {"line": handler.line}
        ) from error
    except xml.sax.SAXParseException as error:
        element = handler.path[-1] if handler.path else ""
        where = _(" dans l'élément <%(name)s>") % {"name": element} if element else ""
        raise StsImportError(
            _("Le fichier n'est pas un XML lisible : ligne %(line)d, colonne %(column)d%(where)s (%(reason)s).")
            % {
                "line": error.getLineNumber(),
                "column": error.getColumnNumber(),
                "where": where,
                "reason": error.getMessage(),
            }
        ) from error
    if handler.problems:
        raise StsImportError(
            _("Le fichier n'a pas été importé : corrigez-le dans STS-web puis exportez-le à nouveau."),
            messages=handler.problems,
        )
    if not handler.uai:
        raise StsImportError(_('Le fichier ne donne pas l\'établissement (élément <PARAMETRES><UAJ CODE="…">).'))
    if not (handler.year.isascii() and handler.year.isdecimal() and len(handler.year) == 4):
        raise StsImportError(
            _('Le fichier ne donne pas l\'année scolaire (élément <PARAMETRES><ANNEE_SCOLAIRE ANNEE="…">).')
        )
    if not handler.people:
        raise StsImportError(_("Le fichier ne contient aucune personne (élément <DONNEES><INDIVIDUS>)."))
    _check_duplicates(handler.people)
    return StsFile(uai=handler.uai, year=int(handler.year), people=handler.people)


def _check_duplicates(people: list[StsPerson]) -> None:
    first: dict[str, int] = {}
    problems = []
    for person in people:
        line = first.setdefault(person.sts_id, person.line)
        if line != person.line:
            problems.append(
                _("Ligne %(line)d : l'individu %(id)s figure déjà ligne %(first)d.")
                % {"line": person.line, "id": person.sts_id, "first": line}
            )
    if problems:
        raise StsImportError(_("Le fichier n'a pas été importé."), messages=problems)


# --- what an import would do (pure: the view previews it, the service applies it) -----------------------------


@dataclass(frozen=True)
class StsChange:
    """One person of the file and what importing it does: create (person None), update (changes) or nothing."""

    row: StsPerson
    person: Person | None
    changes: dict  # model field -> (before, after)
    matched_by: str  # "sts_id", "name" or ""


@dataclass
class StsPlan:
    created: list[StsChange] = field(default_factory=list)
    updated: list[StsChange] = field(default_factory=list)
    unchanged: list[StsChange] = field(default_factory=list)
    absent: list[Person] = field(default_factory=list)  # in post, and not in the file
    left: list[Person] = field(default_factory=list)  # marked as no longer in post by the import


def _name_key(last_name: str, first_name: str) -> tuple[str, str]:
    return normalize(last_name), normalize(first_name)


def plan_sts_import(people: list[StsPerson], persons: list[Person]) -> StsPlan:
    """Match each person of the file with the school's staff (STS identifier, then name among the people not
    yet matched and without identifier) and say what changes; StsImportError when a name is ambiguous."""
    by_sts_id = {person.sts_id: person for person in persons if person.sts_id}
    by_name: dict[tuple[str, str], list[Person]] = {}
    for person in persons:
        if not person.sts_id:
            by_name.setdefault(_name_key(person.last_name, person.first_name), []).append(person)
    matches: dict[str, tuple[Person, str]] = {}
    claimed: set[int] = set()
    for row in people:
        person = by_sts_id.get(row.sts_id)
        if person is not None:
            matches[row.sts_id] = (person, "sts_id")
            claimed.add(person.pk)
    problems = []
    for row in people:
        if row.sts_id in matches:
            continue
        namesakes = [p for p in by_name.get(_name_key(row.last_name, row.first_name), []) if p.pk not in claimed]
        if len(namesakes) > 1:  # in post first: a namesake who left long ago is not the one
            namesakes = [p for p in namesakes if p.is_active] or namesakes
        if len(namesakes) == 1:
            matches[row.sts_id] = (namesakes[0], "name")
            claimed.add(namesakes[0].pk)
        elif namesakes:
            problems.append(
                _(
                    "Ligne %(line)d : plusieurs personnes de l'établissement s'appellent « %(name)s » ; corrigez "
                    "leur fiche (nom ou prénom) pour les distinguer, puis importez à nouveau le fichier."
                )
                % {"line": row.line, "name": f"{row.first_name} {row.last_name}"}
            )
    if problems:
        raise StsImportError(_("Le fichier n'a pas été importé."), messages=problems)

    plan = StsPlan()
    for row in people:
        match = matches.get(row.sts_id)
        if match is None:
            plan.created.append(StsChange(row=row, person=None, changes={}, matched_by=""))
            continue
        person, matched_by = match
        changes = _changes(person, row)
        (plan.updated if changes else plan.unchanged).append(
            StsChange(row=row, person=person, changes=changes, matched_by=matched_by)
        )
    plan.absent = [p for p in persons if p.is_active and p.pk not in claimed]
    return plan


def _changes(person: Person, row: StsPerson) -> dict:
    changes = {}
    if _name_key(person.last_name, person.first_name) != _name_key(row.last_name, row.first_name):
        changes["last_name"] = (person.last_name, row.last_name)
        changes["first_name"] = (person.first_name, row.first_name)
    for name in ("sts_id", "status", "discipline"):
        if getattr(person, name) != getattr(row, name):
            changes[name] = (getattr(person, name), getattr(row, name))
    if not person.is_active:
        changes["is_active"] = (False, True)
    return changes


def new_person_values(row: StsPerson) -> dict:
    return {
        "sts_id": row.sts_id,
        "last_name": row.last_name,
        "first_name": row.first_name,
        "status": row.status,
        "discipline": row.discipline,
    }
