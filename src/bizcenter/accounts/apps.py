from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bizcenter.accounts"
    label = "accounts"

    def ready(self) -> None:
        from bizcenter.accounts import (
            messages,  # noqa: F401  (registers the renderer)
            signins,  # noqa: F401  (connects the auth signals)
        )
