from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "bizcenter.billing"
    label = "billing"
