from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "bizcenter.access"
    label = "access"

    def ready(self) -> None:
        from bizcenter.access import reminders  # noqa: F401  (registers the renderer)
