from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "bizcenter.assets"
    label = "assets"

    def ready(self) -> None:
        from bizcenter.assets import messages  # noqa: F401  (registers the renderer)
