from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bizcenter.accounts"
    label = "accounts"

    def ready(self) -> None:
        from bizcenter.accounts import (
            messages,  # noqa: F401  (registers the renderer)
            sessions,  # noqa: F401  (notes when a session began, at log-in)
            signins,  # noqa: F401  (connects the auth signals)
        )
