"""Shapes shared by every endpoint: the error envelope and paged lists."""

from __future__ import annotations

from typing import Generic, TypeVar

from ninja import Schema

T = TypeVar("T")


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, str] = {}


class Error(Schema):
    """Every refusal, at its HTTP status: 400 bad input, 401 no or bad token, 403 not
    allowed (the message is the access engine's reason and fix), 404 not found or not
    visible, 409 conflict (a limit, a stale change), 429 rate limited."""

    error: ErrorBody


class PageInfo(Schema):
    page: int
    page_size: int
    total: int
    pages: int


class Paged(Schema, Generic[T]):
    items: list[T]
    page_info: PageInfo
