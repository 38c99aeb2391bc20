from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Courriels et rappels")

    def ready(self):
        # Every app's reminders.py registers its kinds of reminder (notifications.reminders.reminder): the apps
        # above plug their kinds in, this app never imports them.
        autodiscover_modules("reminders")
