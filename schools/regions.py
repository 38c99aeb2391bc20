"""Reference tables of France's académies, régions and départements, for the school directory import.

Each département gives its name, the words that follow "Conseil départemental" ("de la Côte-d'Or"), its
académie (the ministry's code, as in the directory's Code_academie column) and its région (INSEE code, as in
Code_region). The collectivité that owns a school follows from them: the département's council for a collège,
the région's council for a lycée, lycée professionnel or EREA, with the few places where one collectivité holds
both or where another one replaced the département's council (Paris, Alsace, Corse, Martinique, Guyane, Mayotte).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Departement:
    code: str
    name: str
    of_name: str  # "de la Côte-d'Or": what follows "Conseil départemental"
    academie: str
    region: str


@dataclass(frozen=True)
class Region:
    code: str  # INSEE
    iso: str  # ISO 3166-2:FR, used in the regional council's code (CRBFC)
    of_name: str  # "de Bourgogne-Franche-Comté"


@dataclass(frozen=True)
class Council:
    """A collectivité as the import creates it when missing."""

    code: str
    name: str
    kind: str  # "departement" or "region", the values of schools.Collectivity.Kind


ACADEMIES = {
    "01": "Paris",
    "02": "Aix-Marseille",
    "03": "Besançon",
    "04": "Bordeaux",
    "06": "Clermont-Ferrand",
    "07": "Dijon",
    "08": "Grenoble",
    "09": "Lille",
    "10": "Lyon",
    "11": "Montpellier",
    "12": "Nancy-Metz",
    "13": "Poitiers",
    "14": "Rennes",
    "15": "Strasbourg",
    "16": "Toulouse",
    "17": "Nantes",
    "18": "Orléans-Tours",
    "19": "Reims",
    "20": "Amiens",
    "22": "Limoges",
    "23": "Nice",
    "24": "Créteil",
    "25": "Versailles",
    "27": "Corse",
    "28": "La Réunion",
    "31": "Martinique",
    "32": "Guadeloupe",
    "33": "Guyane",
    "43": "Mayotte",
    "70": "Normandie",
}

REGIONS = {
    r.code: r
    for r in (
        Region("84", "ARA", "d'Auvergne-Rhône-Alpes"),
        Region("27", "BFC", "de Bourgogne-Franche-Comté"),
        Region("53", "BRE", "de Bretagne"),
        Region("24", "CVL", "du Centre-Val de Loire"),
        Region("94", "COR", "de Corse"),
        Region("44", "GES", "du Grand Est"),
        Region("32", "HDF", "des Hauts-de-France"),
        Region("11", "IDF", "d'Île-de-France"),
        Region("28", "NOR", "de Normandie"),
        Region("75", "NAQ", "de Nouvelle-Aquitaine"),
        Region("76", "OCC", "d'Occitanie"),
        Region("52", "PDL", "des Pays de la Loire"),
        Region("93", "PAC", "de Provence-Alpes-Côte d'Azur"),
        Region("01", "GP", "de la Guadeloupe"),
        Region("02", "MQ", "de la Martinique"),
        Region("03", "GF", "de la Guyane"),
        Region("04", "RE", "de La Réunion"),
        Region("06", "YT", "de Mayotte"),
    )
}

_D = Departement
DEPARTEMENTS = {
    d.code: d
    for d in (
        _D("01", "Ain", "de l'Ain", "10", "84"),
        _D("02", "Aisne", "de l'Aisne", "20", "32"),
        _D("03", "Allier", "de l'Allier", "06", "84"),
        _D("04", "Alpes-de-Haute-Provence", "des Alpes-de-Haute-Provence", "02", "93"),
        _D("05", "Hautes-Alpes", "des Hautes-Alpes", "02", "93"),
        _D("06", "Alpes-Maritimes", "des Alpes-Maritimes", "23", "93"),
        _D("07", "Ardèche", "de l'Ardèche", "08", "84"),
        _D("08", "Ardennes", "des Ardennes", "19", "44"),
        _D("09", "Ariège", "de l'Ariège", "16", "76"),
        _D("10", "Aube", "de l'Aube", "19", "44"),
        _D("11", "Aude", "de l'Aude", "11", "76"),
        _D("12", "Aveyron", "de l'Aveyron", "16", "76"),
        _D("13", "Bouches-du-Rhône", "des Bouches-du-Rhône", "02", "93"),
        _D("14", "Calvados", "du Calvados", "70", "28"),
        _D("15", "Cantal", "du Cantal", "06", "84"),
        _D("16", "Charente", "de la Charente", "13", "75"),
        _D("17", "Charente-Maritime", "de la Charente-Maritime", "13", "75"),
        _D("18", "Cher", "du Cher", "18", "24"),
        _D("19", "Corrèze", "de la Corrèze", "22", "75"),
        _D("2A", "Corse-du-Sud", "de la Corse-du-Sud", "27", "94"),
        _D("2B", "Haute-Corse", "de la Haute-Corse", "27", "94"),
        _D("21", "Côte-d'Or", "de la Côte-d'Or", "07", "27"),
        _D("22", "Côtes-d'Armor", "des Côtes-d'Armor", "14", "53"),
        _D("23", "Creuse", "de la Creuse", "22", "75"),
        _D("24", "Dordogne", "de la Dordogne", "04", "75"),
        _D("25", "Doubs", "du Doubs", "03", "27"),
        _D("26", "Drôme", "de la Drôme", "08", "84"),
        _D("27", "Eure", "de l'Eure", "70", "28"),
        _D("28", "Eure-et-Loir", "d'Eure-et-Loir", "18", "24"),
        _D("29", "Finistère", "du Finistère", "14", "53"),
        _D("30", "Gard", "du Gard", "11", "76"),
        _D("31", "Haute-Garonne", "de la Haute-Garonne", "16", "76"),
        _D("32", "Gers", "du Gers", "16", "76"),
        _D("33", "Gironde", "de la Gironde", "04", "75"),
        _D("34", "Hérault", "de l'Hérault", "11", "76"),
        _D("35", "Ille-et-Vilaine", "d'Ille-et-Vilaine", "14", "53"),
        _D("36", "Indre", "de l'Indre", "18", "24"),
        _D("37", "Indre-et-Loire", "d'Indre-et-Loire", "18", "24"),
        _D("38", "Isère", "de l'Isère", "08", "84"),
        _D("39", "Jura", "du Jura", "03", "27"),
        _D("40", "Landes", "des Landes", "04", "75"),
        _D("41", "Loir-et-Cher", "de Loir-et-Cher", "18", "24"),
        _D("42", "Loire", "de la Loire", "10", "84"),
        _D("43", "Haute-Loire", "de la Haute-Loire", "06", "84"),
        _D("44", "Loire-Atlantique", "de la Loire-Atlantique", "17", "52"),
        _D("45", "Loiret", "du Loiret", "18", "24"),
        _D("46", "Lot", "du Lot", "16", "76"),
        _D("47", "Lot-et-Garonne", "de Lot-et-Garonne", "04", "75"),
        _D("48", "Lozère", "de la Lozère", "11", "76"),
        _D("49", "Maine-et-Loire", "de Maine-et-Loire", "17", "52"),
        _D("50", "Manche", "de la Manche", "70", "28"),
        _D("51", "Marne", "de la Marne", "19", "44"),
        _D("52", "Haute-Marne", "de la Haute-Marne", "19", "44"),
        _D("53", "Mayenne", "de la Mayenne", "17", "52"),
        _D("54", "Meurthe-et-Moselle", "de Meurthe-et-Moselle", "12", "44"),
        _D("55", "Meuse", "de la Meuse", "12", "44"),
        _D("56", "Morbihan", "du Morbihan", "14", "53"),
        _D("57", "Moselle", "de la Moselle", "12", "44"),
        _D("58", "Nièvre", "de la Nièvre", "07", "27"),
        _D("59", "Nord", "du Nord", "09", "32"),
        _D("60", "Oise", "de l'Oise", "20", "32"),
        _D("61", "Orne", "de l'Orne", "70", "28"),
        _D("62", "Pas-de-Calais", "du Pas-de-Calais", "09", "32"),
        _D("63", "Puy-de-Dôme", "du Puy-de-Dôme", "06", "84"),
        _D("64", "Pyrénées-Atlantiques", "des Pyrénées-Atlantiques", "04", "75"),
        _D("65", "Hautes-Pyrénées", "des Hautes-Pyrénées", "16", "76"),
        _D("66", "Pyrénées-Orientales", "des Pyrénées-Orientales", "11", "76"),
        _D("67", "Bas-Rhin", "du Bas-Rhin", "15", "44"),
        _D("68", "Haut-Rhin", "du Haut-Rhin", "15", "44"),
        _D("69", "Rhône", "du Rhône", "10", "84"),
        _D("70", "Haute-Saône", "de la Haute-Saône", "03", "27"),
        _D("71", "Saône-et-Loire", "de Saône-et-Loire", "07", "27"),
        _D("72", "Sarthe", "de la Sarthe", "17", "52"),
        _D("73", "Savoie", "de la Savoie", "08", "84"),
        _D("74", "Haute-Savoie", "de la Haute-Savoie", "08", "84"),
        _D("75", "Paris", "de Paris", "01", "11"),
        _D("76", "Seine-Maritime", "de la Seine-Maritime", "70", "28"),
        _D("77", "Seine-et-Marne", "de Seine-et-Marne", "24", "11"),
        _D("78", "Yvelines", "des Yvelines", "25", "11"),
        _D("79", "Deux-Sèvres", "des Deux-Sèvres", "13", "75"),
        _D("80", "Somme", "de la Somme", "20", "32"),
        _D("81", "Tarn", "du Tarn", "16", "76"),
        _D("82", "Tarn-et-Garonne", "de Tarn-et-Garonne", "16", "76"),
        _D("83", "Var", "du Var", "23", "93"),
        _D("84", "Vaucluse", "de Vaucluse", "02", "93"),
        _D("85", "Vendée", "de la Vendée", "17", "52"),
        _D("86", "Vienne", "de la Vienne", "13", "75"),
        _D("87", "Haute-Vienne", "de la Haute-Vienne", "22", "75"),
        _D("88", "Vosges", "des Vosges", "12", "44"),
        _D("89", "Yonne", "de l'Yonne", "07", "27"),
        _D("90", "Territoire de Belfort", "du Territoire de Belfort", "03", "27"),
        _D("91", "Essonne", "de l'Essonne", "25", "11"),
        _D("92", "Hauts-de-Seine", "des Hauts-de-Seine", "25", "11"),
        _D("93", "Seine-Saint-Denis", "de la Seine-Saint-Denis", "24", "11"),
        _D("94", "Val-de-Marne", "du Val-de-Marne", "24", "11"),
        _D("95", "Val-d'Oise", "du Val-d'Oise", "25", "11"),
        _D("971", "Guadeloupe", "de la Guadeloupe", "32", "01"),
        _D("972", "Martinique", "de la Martinique", "31", "02"),
        _D("973", "Guyane", "de la Guyane", "33", "03"),
        _D("974", "La Réunion", "de La Réunion", "28", "04"),
        _D("976", "Mayotte", "de Mayotte", "43", "06"),
    )
}

_ALSACE = Council("CEA", "Collectivité européenne d'Alsace", "departement")
_CORSE = Council("CRCOR", "Collectivité de Corse", "region")
_MARTINIQUE = Council("CRMQ", "Collectivité territoriale de Martinique", "region")
_GUYANE = Council("CRGF", "Collectivité territoriale de Guyane", "region")
_MAYOTTE = Council("CD976", "Conseil départemental de Mayotte", "departement")
COLLEGE_COUNCILS = {
    "67": _ALSACE,
    "68": _ALSACE,
    "75": Council("CD75", "Ville de Paris", "departement"),
    "2A": _CORSE,
    "2B": _CORSE,
    "972": _MARTINIQUE,
    "973": _GUYANE,
}  # where the collèges' owner is not "Conseil départemental de …"
LYCEE_COUNCILS = {"2A": _CORSE, "2B": _CORSE, "972": _MARTINIQUE, "973": _GUYANE, "976": _MAYOTTE}


def normalize_departement(value: str) -> str:
    """The département code as stored: "021" -> "21", "1" (a spreadsheet's 01) -> "01", "02A" -> "2A"."""
    code = value.strip().upper()
    if len(code) == 3 and code.startswith("0"):
        code = code[1:]
    if len(code) == 1 and code.isdigit():
        code = code.zfill(2)
    return code


def normalize_academie(value: str) -> str:
    """The académie code as stored: "7" (a spreadsheet's 07) -> "07"."""
    code = value.strip()
    return code.zfill(2) if code.isdigit() and len(code) < 2 else code


def departement_council(code: str) -> Council:
    """The owner of a département's collèges."""
    if code in COLLEGE_COUNCILS:
        return COLLEGE_COUNCILS[code]
    return Council(f"CD{code}", f"Conseil départemental {DEPARTEMENTS[code].of_name}", "departement")


def region_council(departement_code: str) -> Council:
    """The owner of a département's lycées, lycées professionnels and EREA."""
    if departement_code in LYCEE_COUNCILS:
        return LYCEE_COUNCILS[departement_code]
    region = REGIONS[DEPARTEMENTS[departement_code].region]
    return Council(f"CR{region.iso}", f"Conseil régional {region.of_name}", "region")
