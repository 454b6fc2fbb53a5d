"""Log in with an email address or a phone number, whichever the person typed."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from bizcenter.accounts.addresses import parse_address
from bizcenter.accounts.models import User
from bizcenter.core.errors import InvalidInput


class EmailOrPhoneBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or password is None:
            return None
        try:
            address = parse_address(username)
        except InvalidInput:
            return None
        user = User.objects.by_address(address)
        if user is None:
            # Spend the same time as a real check so timing does not reveal
            # which addresses have accounts.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
