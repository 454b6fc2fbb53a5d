from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "bizcenter.campaigns"
    label = "campaigns"
