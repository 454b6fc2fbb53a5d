from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "bizcenter.outbox"
    label = "outbox"
