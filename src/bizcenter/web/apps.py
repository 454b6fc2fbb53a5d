from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "bizcenter.web"
    label = "web"
