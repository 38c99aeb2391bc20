import logging

from django.apps import AppConfig


class RupnConfig(AppConfig):
    name = "rupn"
    verbose_name = "RUPN"

    def ready(self):
        # WeasyPrint logs a line per rendering step (even at import): rupn.lib.pdf uses them as time checks only.
        logging.getLogger("weasyprint.progress").propagate = False
