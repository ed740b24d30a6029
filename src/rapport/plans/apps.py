from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "rapport.plans"
    label = "plans"
    verbose_name = "Treatment plans"
