from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bizcenter.accounts"
    label = "accounts"
