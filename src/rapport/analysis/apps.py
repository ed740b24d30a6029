from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "rapport.analysis"
    label = "analysis"
    verbose_name = "Transcript analysis"
