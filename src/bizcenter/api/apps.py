from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "bizcenter.api"
    label = "api"
