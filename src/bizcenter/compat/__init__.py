"""The TikTok Business API v1.3 door: existing TikTok clients work against bizcenter.

Served under ``/open_api/v1.3/`` with TikTok's own conventions: the
``Access-Token`` header (a bizcenter API token), HTTP 200 with
``{"code", "message", "request_id", "data"}`` on every answer, a non-zero
``code`` for an error, JSON-encoded object parameters on GET, ids as strings,
``page``/``page_size`` with ``page_info``. Like every other door it only
translates: each endpoint calls the same services as the web pages, the REST
API and the CLI, so the rules, limits and activity log are the same.
"""
