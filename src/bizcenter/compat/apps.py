from django.apps import AppConfig


class CompatConfig(AppConfig):
    name = "bizcenter.compat"
    label = "compat"
    verbose_name = "TikTok Business API compatibility"
