from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "bizcenter.billing"
    label = "billing"

    def ready(self) -> None:
        from bizcenter.billing import messages  # noqa: F401  (registers the renderer)
