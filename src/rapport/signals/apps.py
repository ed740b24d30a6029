from django.apps import AppConfig


class SignalsConfig(AppConfig):
    name = "rapport.signals"
    label = "clinical_signals"  # "signals" would read like Django's signal dispatch
    verbose_name = "Clinical signals"
