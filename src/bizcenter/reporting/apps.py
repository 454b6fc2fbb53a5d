from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "bizcenter.reporting"
    label = "reporting"
