from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "bizcenter.campaigns"
    label = "campaigns"

    def ready(self) -> None:
        from bizcenter.campaigns import messages  # noqa: F401  (registers the renderer)
