from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImpConfig(AppConfig):
    name = "imp"
    verbose_name = _("Indemnités pour mission particulière (IMP)")
