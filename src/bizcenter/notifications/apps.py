from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "bizcenter.notifications"
    label = "notifications"

    def ready(self) -> None:
        from bizcenter.notifications import messages  # noqa: F401  (registers the renderer)
