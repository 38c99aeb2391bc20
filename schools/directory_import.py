"""Read the Ministry's school directory exports, line by line, and check every line before anything is written.

Two open-data exports are understood, told apart by their header:

- "Annuaire de l'éducation" (fr-en-annuaire-education): Identifiant_de_l_etablissement, Nom_etablissement,
  Type_etablissement, Statut_public_prive, Code_departement, Code_academie, code_nature, etat…
- "Adresse et géolocalisation des établissements" (fr-en-adresse-et-geolocalisation-…): numero_uai,
  appellation_officielle, nature_uai, secteur_public_prive_libe, code_departement, code_academie,
  etat_etablissement…

The file is CSV separated by ";" (a header with no ";" but with "," is read with ","), UTF-8 with or without a
byte order mark, CRLF or LF line endings. Columns are found by name, ignoring case, accents, spaces and
punctuation, so the renamings between yearly exports ("Code postal" in 2023, "Code_postal" in 2026) are the
same column; unknown columns are ignored; a missing required column is named in the error. Values re-saved by
a spreadsheet are accepted: codes that lost their leading zero (département 1, académie 7, postal code 1000),
dates as dd/mm/yyyy as well as yyyy-mm-dd, numbers in scientific notation (2,1E+04), lines shortened by
dropping their empty trailing cells.

Kept: collèges, lycées (général et technologique, polyvalent, professionnel) and EREA, by code_nature (340,
300-302, 306, 320, 370) or, without it, by Type_etablissement; public ones, plus the private ones under contract
when asked (never those "hors contrat"); the Éducation nationale's own (agricultural lycées are the ministry of
agriculture's). Skipped, and counted: every other kind of school, sections and SEGPA attached to a parent school
(code_nature 334, 335, 390, or a "section" attachment to etablissement_mere), other ministries, private schools,
and the schools of other académies when the import is restricted to one.

Refused, with the line number (the header is line 1): an invalid UAI or check letter, the same UAI twice, an
unknown académie or département code, a département that belongs to another académie, a kept school without a
name, an unknown state, an unreadable date, a line with more fields than the header, a line that is not
UTF-8, a cell over 131 072 characters, a NUL character (rupn.lib.csvfiles reads the file). The first problem stops
the reading: nothing is written (schools.services.school_directory_import writes only a fully read file).
"""

import datetime
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rupn.lib import csvfiles
from rupn.lib.csvfiles import CsvFileError
from rupn.lib.errors import DomainError
from schools.models import School
from schools.regions import normalize_academie, normalize_departement
from schools.uai import UAI_PATTERN, uai_check_letter

ANNUAIRE = "annuaire"
GEOLOC = "geoloc"
FORMAT_LABELS = {
    ANNUAIRE: "Annuaire de l'éducation",
    GEOLOC: "Adresse et géolocalisation des établissements",
}

NATURE_KINDS = {
    "340": School.Kind.COLLEGE,
    "300": School.Kind.LYCEE,
    "301": School.Kind.LYCEE,
    "302": School.Kind.LYCEE,
    "306": School.Kind.LYCEE_POLY,
    "320": School.Kind.LYCEE_PRO,
    "370": School.Kind.EREA,
}
SECTION_NATURES = {"334", "335", "390"}  # sections d'enseignement professionnel / général, SEGPA
PUBLIC_CONTRACT = "99"  # Code_type_contrat_prive of a public school ("SANS OBJET")
NO_CONTRACT = "10"  # "HORS CONTRAT"
CLOSED_STATES = {"A FERMER", "FERME", "2"}  # etat / etat_etablissement (1 ouvert, 2 à fermer, 3 à ouvrir)
OPEN_STATES = {"OUVERT", "A OUVRIR", "1", "3"}
EDUCATION_MINISTRY_CODE = "06"

SKIP_REASONS = {
    "other_academie": gettext_lazy("établissements d'une autre académie"),
    "academie_in_rupn": gettext_lazy(
        "établissements rattachés à une autre académie dans RUPN, laissés inchangés (seul un administrateur peut "
        "changer un établissement d'académie, avec la commande import_schools)"
    ),
    "not_secondary": gettext_lazy("écoles et autres établissements que collèges, lycées et EREA"),
    "section": gettext_lazy("sections et SEGPA rattachées à un établissement"),
    "other_ministry": gettext_lazy("établissements d'un autre ministère (agriculture, armées…)"),
    "private": gettext_lazy("établissements privés (sous contrat : importés seulement sur demande)"),
    "private_no_contract": gettext_lazy("établissements privés hors contrat"),
}


@dataclass(frozen=True)
class Column:
    field: str
    aliases: tuple[str, ...]  # as written in the exports; compared normalized


@dataclass(frozen=True)
class FileFormat:
    name: str
    key_column: str  # normalized name of the column that identifies the format
    columns: tuple[Column, ...]
    required: tuple[str, ...]  # fields
    one_of: tuple[tuple[str, ...], ...] = ()  # at least one of these fields


FORMATS = (
    FileFormat(
        name=ANNUAIRE,
        key_column="identifiantdeletablissement",
        columns=(
            Column("uai", ("Identifiant_de_l_etablissement",)),
            Column("name", ("Nom_etablissement",)),
            Column("type", ("Type_etablissement",)),
            Column("nature", ("code_nature",)),
            Column("nature_label", ("libelle_nature",)),
            Column("status", ("Statut_public_prive",)),
            Column("contract", ("Code_type_contrat_prive",)),
            Column("address1", ("Adresse_1",)),
            Column("address2", ("Adresse_2",)),
            Column("address3", ("Adresse_3",)),
            Column("postal_code", ("Code_postal", "Code postal")),
            Column("commune", ("Nom_commune",)),
            Column("departement", ("Code_departement",)),
            Column("academie", ("Code_academie",)),
            Column("state", ("etat",)),
            Column("mother", ("etablissement_mere",)),
            Column("attachment", ("type_rattachement_etablissement_mere",)),
            Column("ministry", ("ministere_tutelle",)),
            Column("opened_on", ("date_ouverture",)),
            Column("latitude", ("latitude",)),
            Column("longitude", ("longitude",)),
        ),
        required=("uai", "name", "status", "commune", "departement", "academie"),
        one_of=(("nature", "type"),),
    ),
    FileFormat(
        name=GEOLOC,
        key_column="numerouai",
        columns=(
            Column("uai", ("numero_uai",)),
            Column("name", ("appellation_officielle",)),
            Column("nature", ("nature_uai",)),
            Column("nature_label", ("nature_uai_libe",)),
            Column("status", ("secteur_public_prive_libe", "secteur_public_prive")),
            Column("contract", ("secteur_prive_code_type_contrat",)),
            Column("address1", ("adresse_uai",)),
            Column("address2", ("lieu_dit_uai",)),
            Column("po_box", ("boite_postale_uai",)),
            Column("postal_code", ("code_postal_uai",)),
            Column("commune", ("libelle_commune",)),
            Column("departement", ("code_departement",)),
            Column("academie", ("code_academie",)),
            Column("state", ("etat_etablissement",)),
            Column("state_label", ("etat_etablissement_libe",)),
            Column("ministry", ("libelle_ministere",)),
            Column("ministry_code", ("code_ministere",)),
            Column("opened_on", ("date_ouverture",)),
            Column("latitude", ("latitude",)),
            Column("longitude", ("longitude",)),
        ),
        required=("uai", "name", "nature", "status", "commune", "departement", "academie"),
    ),
)

_NAME_MAX = School._meta.get_field("name").max_length
_COMMUNE_MAX = School._meta.get_field("commune").max_length
_ADDRESS_MAX = School._meta.get_field("address").max_length
_SCIENTIFIC = re.compile(r"[0-9]+(?:[.,][0-9]+)?[eE]\+?[0-9]+")


@dataclass(frozen=True)
class DirectoryRow:
    """One school the file keeps, with its values checked and normalized."""

    line: int
    uai: str
    name: str
    kind: str
    address: str
    postal_code: str
    commune: str
    departement: str
    academie: str
    is_public: bool
    is_active: bool
    opened_on: datetime.date | None
    latitude: Decimal | None = None  # WGS 84; both or neither
    longitude: Decimal | None = None


@dataclass
class ParsedDirectory:
    format: str
    rows: list[DirectoryRow] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)  # reason (SKIP_REASONS) -> lines
    listed_uais: set[str] = field(default_factory=set)  # every UAI of the académie(s) read, kept or not
    lines: int = 0  # data lines read (blank lines aside)


class DirectoryImportError(DomainError):
    """The file is refused; nothing was written. `line` is the line at fault (header = 1), when there is one."""

    def __init__(self, message: str, *, line: int | None = None):
        text = _("Ligne %(line)d : %(message)s") % {"line": line, "message": message} if line else message
        super().__init__(text)
        self.line = line


def normalize_header(name: str) -> str:
    """ "Code postal", "Code_postal" and "CODE-POSTAL" are the same column: "codepostal"."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    return "".join(c for c in text if c.isalnum())


def plain_number(value: str) -> str:
    """A number a spreadsheet wrote in scientific notation, written out: "2,1E+04" -> "21000"."""
    if not _SCIENTIFIC.fullmatch(value):
        return value
    try:
        number = Decimal(value.replace(",", "."))
    except InvalidOperation:
        return value
    return str(int(number)) if number == number.to_integral_value() else value


def parse_date(value: str) -> datetime.date | None:
    """yyyy-mm-dd (the export) or dd/mm/yyyy (a spreadsheet); None when empty; ValueError otherwise."""
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(value)


_COORDINATE = re.compile(r"-?[0-9]{1,3}(?:[.,][0-9]+)?")


def parse_coordinates(latitude: str, longitude: str) -> tuple[Decimal, Decimal] | None:
    """WGS 84 latitude and longitude in degrees ("47.1297944631154", "4,4886"), rounded to the micro-degree (about
    10 cm); None when either is empty; ValueError when unreadable or out of range."""
    latitude, longitude = latitude.strip(), longitude.strip()
    if not latitude or not longitude:
        return None
    if not (_COORDINATE.fullmatch(latitude) and _COORDINATE.fullmatch(longitude)):
        raise ValueError(latitude, longitude)
    micro = Decimal("0.000001")
    lat = Decimal(latitude.replace(",", ".")).quantize(micro)
    lon = Decimal(longitude.replace(",", ".")).quantize(micro)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(latitude, longitude)
    return lat, lon


def _records(stream: Iterable[bytes]) -> Iterator[tuple[int, list[str]]]:
    """The file's records with their line numbers (rupn.lib.csvfiles: UTF-8, separator, cell size, NUL)."""
    try:
        yield from csvfiles.stream_rows(stream)
    except CsvFileError as error:
        line, text = error.problems[0] if error.problems else (None, error.errors[0])
        raise DirectoryImportError(text, line=line) from error


def _detect(header: list[str]) -> tuple[FileFormat, dict[str, int]]:
    normalized = [normalize_header(name) for name in header]
    file_format = next((f for f in FORMATS if f.key_column in normalized), None)
    if file_format is None:
        raise DirectoryImportError(
            _(
                "Format de fichier non reconnu : l'en-tête n'a ni la colonne « Identifiant_de_l_etablissement » "
                "(export « Annuaire de l'éducation ») ni la colonne « numero_uai » (export « Adresse et "
                "géolocalisation des établissements »)."
            )
        )
    positions: dict[str, int] = {}
    for column in file_format.columns:
        for alias in column.aliases:
            key = normalize_header(alias)
            if key in normalized:
                positions[column.field] = normalized.index(key)
                break
    names = {column.field: column.aliases[0] for column in file_format.columns}
    missing = [names[f] for f in file_format.required if f not in positions]
    for group in file_format.one_of:
        if not any(f in positions for f in group):
            missing.append(_(" ou ").join(names[f] for f in group))
    if missing:
        raise DirectoryImportError(
            _("Colonne(s) obligatoire(s) absente(s) de l'en-tête : %(columns)s.")
            % {"columns": ", ".join(f"« {name} »" for name in missing)},
            line=1,
        )
    return file_format, positions


def _kind(values: dict[str, str]) -> str | None:
    """The school kind, "section" for a section or SEGPA, or None for a kind the import does not keep."""
    nature = plain_number(values.get("nature", ""))
    if nature:
        if nature in SECTION_NATURES:
            return "section"
        return NATURE_KINDS.get(nature)
    school_type = normalize_header(values.get("type", ""))
    label = values.get("nature_label", "").upper()
    if school_type == "college":
        return School.Kind.COLLEGE
    if school_type == "erea":
        return School.Kind.EREA
    if school_type == "lycee":
        if "PROFESSIONNEL" in label:
            return School.Kind.LYCEE_PRO
        if "POLYVALENT" in label:
            return School.Kind.LYCEE_POLY
        return School.Kind.LYCEE
    return None


def _is_section(values: dict[str, str], uai: str) -> bool:
    mother = values.get("mother", "").strip().upper()
    attachment = values.get("attachment", "").upper()
    return bool(mother and mother != uai and ("SECTION" in attachment or "FILIERE" in attachment))


def _other_ministry(values: dict[str, str]) -> bool:
    ministry = values.get("ministry", "").upper()
    if ministry:
        return "EDUCATION NATIONALE" not in ministry
    code = plain_number(values.get("ministry_code", ""))
    return bool(code) and code.zfill(2) != EDUCATION_MINISTRY_CODE


def _private_kind(values: dict[str, str]) -> str | None:
    """None for a public school, else the skip reason of a private one ("private" when under contract)."""
    contract = plain_number(values.get("contract", ""))
    if contract == PUBLIC_CONTRACT or normalize_header(values.get("status", "")) == "public":
        return None
    return "private_no_contract" if contract == NO_CONTRACT else "private"


def _address(values: dict[str, str]) -> str:
    parts = [values.get("address1", ""), values.get("address2", ""), values.get("address3", "")]
    po_box = plain_number(values.get("po_box", ""))
    if po_box:
        parts.append(po_box if po_box.upper().startswith("BP") else f"BP {po_box}")
    address = ", ".join(" ".join(part.split()) for part in parts if part.strip())
    return address if len(address) <= _ADDRESS_MAX else address[: _ADDRESS_MAX - 1] + "…"


def _postal_code(value: str) -> str:
    code = plain_number(value).replace(" ", "")
    return code.zfill(5) if code.isdigit() and len(code) == 4 else code


def _is_active(values: dict[str, str], line: int) -> bool:
    states = [values.get("state", ""), values.get("state_label", "")]
    for state in states:
        key = unicodedata.normalize("NFKD", plain_number(state)).encode("ascii", "ignore").decode().upper().strip()
        if key in CLOSED_STATES:
            return False
        if key in OPEN_STATES:
            return True
        if key:
            raise DirectoryImportError(
                _("état « %(state)s » inconnu (OUVERT, A FERMER, A OUVRIR).") % {"state": state}, line=line
            )
    return True


def _check_uai(raw: str, line: int) -> str:
    uai = raw.strip().upper()
    match = UAI_PATTERN.fullmatch(uai)
    if not match:
        raise DirectoryImportError(
            _("« %(value)s » n'est pas un UAI (7 chiffres suivis d'une lettre).") % {"value": raw}, line=line
        )
    expected = uai_check_letter(match.group(1))
    if match.group(2) != expected:
        raise DirectoryImportError(
            _("l'UAI « %(value)s » est invalide : la lettre de contrôle devrait être %(letter)s.")
            % {"value": uai, "letter": expected},
            line=line,
        )
    return uai


def parse_directory(
    stream: Iterable[bytes],
    *,
    academies: Iterable[str],
    departements: dict[str, str],
    academie: str | None = None,
    with_private: bool = False,
) -> ParsedDirectory:
    """Read and check the whole file; DirectoryImportError at the first bad line.

    academies: the known académie codes; departements: known département code -> its académie's code;
    academie: keep only this académie's schools (the others are skipped).
    """
    return _parse_rows(
        _records(stream),
        academies=set(academies),
        departements=departements,
        academie=academie,
        with_private=with_private,
    )


def _parse_rows(
    records, *, academies: set[str], departements: dict[str, str], academie, with_private
) -> ParsedDirectory:
    _header_line, header = next(records)
    file_format, positions = _detect(header)
    width = len(header)
    parsed = ParsedDirectory(format=file_format.name)
    first_line: dict[str, int] = {}
    for line, cells in records:
        if not any(cell.strip() for cell in cells):
            continue
        parsed.lines += 1
        if len(cells) > width and any(cell.strip() for cell in cells[width:]):
            raise DirectoryImportError(
                _("%(count)d champs au lieu de %(expected)d (un « ; » de trop dans une valeur ?).")
                % {"count": len(cells), "expected": width},
                line=line,
            )
        values = {name: cells[index].strip() if index < len(cells) else "" for name, index in positions.items()}
        uai = _check_uai(values["uai"], line)
        if uai in first_line:
            raise DirectoryImportError(
                _("l'UAI %(uai)s figure déjà ligne %(first)d.") % {"uai": uai, "first": first_line[uai]}, line=line
            )
        first_line[uai] = line
        academie_code = normalize_academie(plain_number(values["academie"]))
        if academie_code not in academies:
            raise DirectoryImportError(
                _("code académie « %(code)s » inconnu.") % {"code": values["academie"]}, line=line
            )
        if academie and academie_code != academie:
            parsed.skipped["other_academie"] += 1
            continue
        parsed.listed_uais.add(uai)
        row = _kept_row(values, uai=uai, line=line, academie=academie_code, departements=departements)
        if isinstance(row, str):
            parsed.skipped[row] += 1
            continue
        if not row.is_public and not with_private:
            parsed.skipped["private"] += 1
            continue
        parsed.rows.append(row)
    return parsed


def _kept_row(
    values: dict[str, str], *, uai: str, line: int, academie: str, departements: dict[str, str]
) -> DirectoryRow | str:
    """The checked row of a school to keep, or the reason to skip it."""
    kind = _kind(values)
    if kind == "section" or (kind and _is_section(values, uai)):
        return "section"
    if kind is None:
        return "not_secondary"
    if _other_ministry(values):
        return "other_ministry"
    private = _private_kind(values)
    if private == "private_no_contract":
        return private
    departement = normalize_departement(plain_number(values["departement"]))
    if departement not in departements:
        raise DirectoryImportError(
            _("code département « %(code)s » inconnu.") % {"code": values["departement"]}, line=line
        )
    if departements[departement] != academie:
        raise DirectoryImportError(
            _("le département %(departement)s appartient à l'académie %(expected)s, pas à l'académie %(academie)s.")
            % {"departement": departement, "expected": departements[departement], "academie": academie},
            line=line,
        )
    name = " ".join(values["name"].split())
    if not name:
        raise DirectoryImportError(_("le nom de l'établissement %(uai)s est vide.") % {"uai": uai}, line=line)
    if len(name) > _NAME_MAX:
        raise DirectoryImportError(
            _("le nom de l'établissement dépasse %(max)d caractères.") % {"max": _NAME_MAX}, line=line
        )
    commune = " ".join(values["commune"].split())
    if len(commune) > _COMMUNE_MAX:
        raise DirectoryImportError(
            _("le nom de la commune dépasse %(max)d caractères.") % {"max": _COMMUNE_MAX}, line=line
        )
    try:
        opened_on = parse_date(values.get("opened_on", ""))
    except ValueError:
        raise DirectoryImportError(
            _("date d'ouverture « %(value)s » illisible (attendu : 2026-09-01 ou 01/09/2026).")
            % {"value": values.get("opened_on", "")},
            line=line,
        ) from None
    try:
        coordinates = parse_coordinates(values.get("latitude", ""), values.get("longitude", "")) or (None, None)
    except ValueError:
        raise DirectoryImportError(
            _("coordonnées « %(latitude)s ; %(longitude)s » illisibles (attendu : latitude et longitude en degrés).")
            % {"latitude": values.get("latitude", ""), "longitude": values.get("longitude", "")},
            line=line,
        ) from None
    postal_code = _postal_code(values.get("postal_code", ""))
    if len(postal_code) > 5:
        raise DirectoryImportError(
            _("code postal « %(value)s » illisible.") % {"value": values.get("postal_code", "")}, line=line
        )
    return DirectoryRow(
        line=line,
        uai=uai,
        name=name,
        kind=kind,
        address=_address(values),
        postal_code=postal_code,
        commune=commune,
        departement=departement,
        academie=academie,
        is_public=private is None,
        is_active=_is_active(values, line),
        opened_on=opened_on,
        latitude=coordinates[0],
        longitude=coordinates[1],
    )
