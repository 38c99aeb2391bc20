"""Template filters and tags of the missions app."""

from django import forms, template
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from rupn.lib.formats import format_duration, format_integer
from schools.access import Perm, academie_ids_with, school_ids_with

register = template.Library()


@register.filter
def duration(minutes) -> str:
    """Minutes as "1 h 30"."""
    return format_duration(minutes)


@register.simple_tag(takes_context=True)
def network_links(context) -> list[dict]:
    """The links of the "Réseau des référents" menu for this user's roles (no query beyond the cached scopes)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    links: list[dict] = []
    if user is None:
        return links
    if school_ids_with(user, Perm.LOG_ACTIVITY):
        links.append({"url": reverse("missions:activity"), "title": _("Mon activité")})
        links.append({"url": reverse("recognition:my_record"), "title": _("Mon parcours")})
        links.append({"url": reverse("badges:mine"), "title": _("Mes badges")})
    if academie_ids_with(user, Perm.FOLLOW_REFERENTS):
        links.append({"url": reverse("missions:dane_activity"), "title": _("Activité des établissements")})
        links.append({"url": reverse("missions:dane_reviews"), "title": _("Points d'étape des établissements")})
        links.append({"url": reverse("recognition:dane_projects"), "title": _("Projets de l'académie")})
        links.append({"url": reverse("badges:list"), "title": _("Badges")})
    links.append({"url": reverse("missions:events"), "title": _("Événements de la DANE")})
    links.append({"url": reverse("missions:my_reminders"), "title": _("Mes rappels")})
    return links


@register.simple_tag
def field_group(field, describedby: str = ""):
    """A text, long text or choice field of the allocation table in the DSFR's markup, written here rather than
    through django-dsfr's templates (several hundred template renders per table otherwise). The label says what
    is asked, without "(Optionnel)": the page says once what is required. A long text field (over 200
    characters allowed) shows its limit, which static/js/char-counter.js turns into a live count."""
    widget, auto_id, errors = field.field.widget, field.auto_id, field.errors
    select = isinstance(widget, forms.Select) and not widget.allow_multiple_selected
    maxlength = None if select else getattr(field.field, "max_length", None)
    counter_id = f"{auto_id}-counter" if maxlength and maxlength > 200 else ""
    ids = [f"{auto_id}_helptext"] if field.help_text else []
    ids += [f"{auto_id}-desc-error"] if errors else []
    ids += [*describedby.split(), *([counter_id] if counter_id else [])]
    attrs = {"name": field.html_name, "id": auto_id, "class": "fr-select" if select else "fr-input"}
    attrs |= {"aria-describedby": " ".join(ids)} if ids else {}
    attrs |= {"aria-invalid": "true"} if errors else {}
    attrs |= {"disabled": True} if field.field.disabled else {}
    attrs |= {"maxlength": maxlength} if maxlength else {}
    attrs |= {"data-counter": counter_id} if counter_id else {}
    value = field.value()
    value = "" if value is None else str(value)
    if select:
        options = "".join(
            f'<option value="{key}"{" selected" if key == value else ""}>{label}</option>'
            for key, label in ((escape(key), escape(label)) for key, label in field.field.choices)
        )
        control = f"<select{flatatt(attrs)}>{options}</select>"
    elif isinstance(widget, forms.Textarea):
        attrs["rows"] = widget.attrs.get("rows", 2)
        control = f"<textarea{flatatt(attrs)}>\n{escape(value)}</textarea>"
    else:
        control = f'<input type="text"{flatatt(attrs)} value="{escape(value)}">'
    hint = (
        f'<span class="fr-hint-text" id="{auto_id}_helptext">{escape(field.help_text)}</span>'
        if field.help_text
        else ""
    )
    counter = ""
    if counter_id:
        limit = escape(_("%(max)s caractères au plus.") % {"max": format_integer(maxlength)})
        counter = f'<p class="fr-hint-text rupn-counter" id="{counter_id}" data-max="{maxlength}">{limit}</p>'
    error_html = ""
    if errors:
        items = "".join(f'<p class="fr-error-text">{escape(error)}</p>' for error in errors)
        error_html = f'<div id="{auto_id}-desc-error">{items}</div>'
    group = "fr-select-group" if select else "fr-input-group"
    state = f" {group}--error" if errors else ""
    label = escape(field.label)
    return mark_safe(  # noqa: S308 (every value above is escaped; ids come from the form's prefix)
        f'<div class="{group}{state}"><label class="fr-label" for="{auto_id}">{label}{hint}</label>'
        f"{control}{counter}{error_html}</div>"
    )
