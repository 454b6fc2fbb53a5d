from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "bizcenter.assets"
    label = "assets"
