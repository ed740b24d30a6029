from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "rapport.web"
    label = "web"
    verbose_name = "Web pages"
