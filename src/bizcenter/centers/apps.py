from django.apps import AppConfig


class CentersConfig(AppConfig):
    name = "bizcenter.centers"
    label = "centers"
