from django.apps import AppConfig


class RupnConfig(AppConfig):
    name = "rupn"
    verbose_name = "RUPN"
