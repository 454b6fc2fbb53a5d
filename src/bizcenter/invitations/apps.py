from django.apps import AppConfig


class InvitationsConfig(AppConfig):
    name = "bizcenter.invitations"
    label = "invitations"

    def ready(self) -> None:
        from bizcenter.invitations import messages  # noqa: F401  (registers the renderer)
