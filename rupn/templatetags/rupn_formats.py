"""French formats in templates: {{ name|of }} "d'Audrey Perrin", {{ name|to }} "au lycée Carnot",
{{ amount|euros }}, {{ minutes|hours }}, {{ month|month_name }}, {% date_range start end %}."""

from django import template

from rupn.lib import formats

register = template.Library()


@register.filter(name="of")
def of_filter(name) -> str:
    """ "de" before a name, elided or contracted: "d'Audrey Perrin", "du Collège Montchapet", "de l'EREA"."""
    return formats.of(name)


@register.filter(name="to")
def to_filter(name) -> str:
    """ "à" before a name, contracted: "au lycée Carnot", "à l'EREA", "aux Riceys"."""
    return formats.to(name)


@register.filter
def month_name(month) -> str:
    """ "novembre 2026"."""
    return formats.month_name(month) if month else ""


@register.filter
def month_abbr(month) -> str:
    """ "juil. 2027"."""
    return formats.month_name(month, abbreviated=True) if month else ""


@register.simple_tag
def date_range(start, end) -> str:
    """ "du 1er au 30 juin 2027"."""
    return formats.date_range(start, end)
