from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "rapport.accounts"
    label = "accounts"
    verbose_name = "Clinics and staff"
