"""Audit (README "Audit"): who changed what in allocation plans, their rows, authorized actions and roles.

django-simple-history records each save() and delete() through model signals, with the user that its request
middleware saw. The services that change rows with a conditional UPDATE or in bulk send no signal: they record
the new state here, in their own transaction and while they hold the row (the UPDATE's lock), so the record is
exactly what they wrote. A service that knows who acts passes `by`; it wins over the request's user (a Celery job
or a command has no request)."""

from collections.abc import Iterable

from django.db import models


def as_user(obj: models.Model, by) -> models.Model:
    """Mark obj so that the history record of its next save() or delete() names `by` (when known)."""
    if by is not None:
        obj._history_user = by
    return obj


def history_record(objs: Iterable[models.Model], *, by, created: bool = False) -> list:
    """Record the current state of objs (saved already, all of one model) as one history row each."""
    objs = [as_user(obj, by) for obj in objs]
    if not objs:
        return []
    return type(objs[0]).history.bulk_history_create(objs, update=not created, default_user=by)


def history_record_if_changed(obj: models.Model, *, by) -> bool:
    """Record obj's state unless its last history row already holds it (one query; two when it records)."""
    history_model = type(obj).history.model
    last = history_model.objects.filter(id=obj.pk).order_by("-history_id").first()
    attnames = [field.attname for field in history_model.tracked_fields]
    if last is not None and all(getattr(last, name) == getattr(obj, name) for name in attnames):
        return False
    history_record([obj], by=by)
    return True
