from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "rapport.accounts"
    label = "accounts"
    verbose_name = "Clinics and staff"

    def ready(self) -> None:
        # Connects the receiver that starts a session's idle clock at sign-in.
        from rapport.accounts import idle  # noqa: F401, PLC0415
