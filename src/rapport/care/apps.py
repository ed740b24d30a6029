from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "rapport.care"
    label = "care"
    verbose_name = "Clients and sessions"
