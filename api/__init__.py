"""The REST API: Partner Center's GCC resources under /v1/, for a partner's own tools.

`models.py` API clients (a partner's credentials); `services.py` / `selectors.py` their
changes and reads; `authentication.py`, `permissions.py`, `throttling.py`, `errors.py`,
`pagination.py` Partner Center's behaviour (bearer tokens, scopes and roles, 429 with
Retry-After, the error body, continuation tokens); `serializers.py` the resource shapes;
`views.py` the endpoints, which call the same services and selectors as the pages;
`client_views.py` the Admin agent's page that creates and revokes clients.
"""
