from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MissionsConfig(AppConfig):
    name = "missions"
    verbose_name = _("Missions et répartition")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Every app's reminders.py registers its kinds of reminder (missions.reminders.reminder).
        autodiscover_modules("reminders")
