"""Form helpers for the templates: the summary of a form's errors, at its top, with links to the fields."""

from collections.abc import Iterable

from django import forms, template

register = template.Library()


def _forms(args) -> list[forms.BaseForm]:
    found = []
    for arg in args:
        if isinstance(arg, forms.BaseForm):
            found.append(arg)
        elif isinstance(arg, Iterable) and not isinstance(arg, str):
            found.extend(_forms(arg))
    return found


def error_items(*args) -> list[dict]:
    """Each error of the given forms (or lists of forms) as {"id": field id to link to, "label", "message"}.

    A form may say which row it is with a `summary_label` attribute (the allocation table's missions)."""
    items = []
    for form in _forms(args):
        if not form.is_bound or form.is_valid():
            continue
        prefix = getattr(form, "summary_label", "")
        visible = form.visible_fields()
        first_id = visible[0].id_for_label if visible else ""
        for error in form.non_field_errors():
            items.append({"id": first_id, "label": prefix, "message": error})
        for field in form:
            for error in field.errors:
                if field.is_hidden:
                    items.append({"id": first_id, "label": prefix, "message": error})
                else:
                    label = f"{prefix} — {field.label}" if prefix else str(field.label)
                    items.append({"id": field.id_for_label, "label": label, "message": error})
    return items


@register.inclusion_tag("includes/form_errors_summary.html", takes_context=True)
def errors_summary(context, *args, heading: int = 2) -> dict:
    """{% errors_summary form %} or {% errors_summary plan_form row_forms heading=3 %}: nothing when no error."""
    return {"items": error_items(*args), "heading": heading, "request": context.get("request")}
