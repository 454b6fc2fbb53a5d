"""The REST API, version 1: the same services as the web pages, as JSON.

Conventions, the same on every endpoint: ids are strings; times are ISO 8601
in UTC; lists take ``page`` and ``page_size`` and answer ``items`` with
``page_info`` (page, page_size, total, pages); errors are
``{"error": {"code", "message", "fields"}}`` at their HTTP status.
"""

from __future__ import annotations

from ninja import NinjaAPI

from bizcenter.api import errors
from bizcenter.api.auth import TokenAuth
from bizcenter.api.routers import (
    access,
    activity,
    assets,
    billing,
    campaigns,
    centers,
    groups,
    invitations,
    members,
    notifications,
    partners,
    reports,
)

api = NinjaAPI(
    title="bizcenter API",
    version="1",
    description=__doc__ or "",
    auth=TokenAuth(),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
    parser=errors.BoundedParser(),
)
errors.install(api)
# Django tries URL patterns in order, one regular expression each: the access check,
# which integrations call before every action, comes first of the center's routes.
api.add_router("/centers", access.router)
api.add_router("/centers", centers.router)
api.add_router("/centers", members.router)
api.add_router("/centers", invitations.router)
api.add_router("/centers", assets.router)
api.add_router("/centers", groups.router)
api.add_router("/centers", partners.router)
api.add_router("/centers", activity.router)
api.add_router("/centers", campaigns.router)
api.add_router("/centers", billing.router)
api.add_router("/centers", reports.router)
api.add_router("/me", notifications.router)
