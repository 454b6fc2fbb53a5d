from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "bizcenter.audit"
    label = "audit"
