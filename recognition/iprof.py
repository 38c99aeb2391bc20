"""The ready-made text for i-prof's "compétence – TICE" field, from a referent's record (pure: no database).

One sentence per school: "Référent numérique (RUPN) au collège X de 2024 à 2027 : accompagnement de l'équipe
pédagogique, administration de l'ENT, lien avec la collectivité." Consecutive school years merge into one
period; a gap starts a new one ("de 2019 à 2021 puis de 2023 à 2025"); a single year reads "en 2026-2027".
"""

from dataclasses import dataclass, field

ROLE = "Référent numérique (RUPN)"

# The catalogue's missions (missions/migrations/0003_catalogue.py) in plain words, in the catalogue's order.
# "training" (Se former) is everyone's and says nothing of the mission: it is left out.
MISSION_WORDS = {
    "support_teams": "accompagnement de l'équipe pédagogique",
    "advise_principal": "conseil au chef d'établissement",
    "communicate": "contact de la DANE",
    "tools.collectivity_link": "lien avec la collectivité",
    "tools.tickets": "remontée des tickets de dysfonctionnement",
    "tools.amon": "administration de l'interface pédagogique AMON",
    "tools.accounts": "gestion des comptes utilisateurs",
    "tools.tablets": "administration des tablettes",
    "tools.ent_admin": "administration de l'ENT",
    "tools.ent_usage": "animation des usages de l'ENT",
    "tools.services": "administration des services pédagogiques",
    "tools.website": "animation du site web",
}
LEFT_OUT = {"training", "tools"}

# School kinds (schools.School.Kind) as the text names them after "au"/"à l'".
KIND_WORDS = {
    "college": "collège",
    "lycee": "lycée",
    "lycee_pro": "lycée professionnel",
    "lycee_poly": "lycée polyvalent",
    "erea": "EREA",
}
# Names that already say what the school is: their first word is lowered ("Collège X" -> "au collège X").
NAME_PREFIXES = ("Collège ", "Lycée ", "Cité scolaire ", "EREA ", "LP ")


@dataclass(frozen=True)
class Holding:
    """The missions one person held in one school for one school year."""

    school_key: object  # what tells two schools apart (their UAI)
    school_name: str
    school_kind: str  # a schools.School.Kind value
    start_year: int  # 2026 for 2026-2027
    mission_codes: tuple[str, ...]
    mission_labels: dict[str, str] = field(default_factory=dict)  # code -> catalogue label, for unknown codes
    services: tuple[str, ...] = ()  # the pedagogical services administered (BRNE, Pearltrees…)
    positions: dict[str, int] = field(default_factory=dict)  # code -> catalogue position (order of the list)


def school_phrase(name: str, kind: str) -> str:
    """ "au collège Les Lentillères", "au lycée Carnot", "à l'EREA de Dijon", "à la cité scolaire X"."""
    for prefix in NAME_PREFIXES:
        if name.startswith(prefix):
            words = prefix.lower() if prefix not in ("EREA ", "LP ") else prefix
            rest = name[len(prefix) :]
            return f"{_preposition(words)}{words}{rest}"
    kind_words = KIND_WORDS.get(kind, "établissement")
    return f"{_preposition(kind_words)}{kind_words} {name}"


def _preposition(words: str) -> str:
    if words.startswith("cité"):
        return "à la "
    if words[:1].lower() in "aeiouyéè":
        return "à l'"
    return "au "


def periods(start_years: set[int]) -> list[tuple[int, int]]:
    """Runs of consecutive school years, as (first start year, last start year)."""
    runs: list[tuple[int, int]] = []
    for year in sorted(start_years):
        if runs and runs[-1][1] == year - 1:
            runs[-1] = (runs[-1][0], year)
        else:
            runs.append((year, year))
    return runs


def period_phrase(runs: list[tuple[int, int]]) -> str:
    """ "en 2026-2027", "de 2024 à 2027", "de 2019 à 2021 puis de 2023 à 2025"."""
    parts = [f"en {first}-{first + 1}" if first == last else f"de {first} à {last + 1}" for first, last in runs]
    if len(parts) <= 2:
        return " puis ".join(parts)
    return ", ".join(parts[:-1]) + " puis " + parts[-1]


def mission_words(holdings: list[Holding]) -> list[str]:
    """The missions held, in plain words, in the catalogue's order, each once."""
    positions: dict[str, int] = {}
    labels: dict[str, str] = {}
    services: list[str] = []
    for holding in holdings:
        for code in holding.mission_codes:
            positions.setdefault(code, holding.positions.get(code, len(MISSION_WORDS) + len(positions)))
            labels.setdefault(code, holding.mission_labels.get(code, code))
        for service in holding.services:
            if service and service not in services:
                services.append(service)
    order = list(MISSION_WORDS)
    words = []
    for code in sorted(positions, key=lambda c: (order.index(c) if c in MISSION_WORDS else 99, positions[c], c)):
        if code in LEFT_OUT:
            continue
        text = MISSION_WORDS.get(code) or _lower_first(labels[code])
        if code == "tools.services" and services:
            text = f"{text} ({', '.join(services)})"
        words.append(text)
    return words


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def iprof_text(holdings: list[Holding]) -> str:
    """The whole text: one sentence per school, the schools in the order their first year came."""
    by_school: dict[object, list[Holding]] = {}
    for holding in sorted(holdings, key=lambda h: (h.start_year, h.school_name)):
        by_school.setdefault(holding.school_key, []).append(holding)
    sentences = []
    for school_holdings in by_school.values():
        latest = school_holdings[-1]
        when = period_phrase(periods({h.start_year for h in school_holdings}))
        what = mission_words(school_holdings)
        sentence = f"{ROLE} {school_phrase(latest.school_name, latest.school_kind)} {when}"
        sentences.append(f"{sentence} : {', '.join(what)}." if what else f"{sentence}.")
    return " ".join(sentences)
