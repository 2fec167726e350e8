"""Authentication and authorization for the plugin's pages, delegated to Airflow.

Airflow does not protect a plugin's FastAPI app by itself, so every route depends on
`require_user`, which:

1. finds the Airflow user exactly as Airflow's own API does, through
   `airflow.api_fastapi.core_api.security.get_user`: an `Authorization: Bearer <JWT>` header,
   else the `_token` cookie the Airflow UI holds (already validated by Airflow's
   JWTRefreshMiddleware when it ran), each checked by the configured auth manager;
2. asks the auth manager whether that user may read the `ner_retraining` DAG, the pipeline
   these pages describe (`is_authorized_dag(method="GET")`).

Without a valid credential (none, expired, forged) the request is refused: pages redirect to
Airflow's login page (when the auth manager is up) and come back afterwards, the JSON API
answers 401. A signed-in user without read access to the DAG gets 403. Airflow is imported on the first request only, so the
app factory stays cheap and importable without Airflow's API server.
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request, status
from fastapi.security import HTTPBearer

DAG_ID = "ner_retraining"
_bearer = HTTPBearer(auto_error=False)


class LoginRequired(HTTPException):
    """No valid credential: a browser is sent to the login page, an API client gets 401."""

    def __init__(self, detail: str = "Not authenticated") -> None:
        super().__init__(status.HTTP_401_UNAUTHORIZED, detail, {"WWW-Authenticate": "Bearer"})


async def require_user(request: Request) -> Any:
    """FastAPI dependency: the authenticated Airflow user allowed to read the DAG."""
    from airflow.api_fastapi.core_api.security import get_user

    try:
        user = await get_user(request, None, await _bearer(request))
    except HTTPException as exc:  # no token (401), expired (401) or invalid (403): sign in again
        raise LoginRequired(exc.detail) from None

    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import DagDetails

    if not get_auth_manager().is_authorized_dag(method="GET", details=DagDetails(id=DAG_ID), user=user):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"Not allowed to read the {DAG_ID} DAG")
    return user


def login_url(request: Request) -> str | None:
    """Airflow's login page, coming back to this page afterwards; None if no auth manager is up."""
    try:
        from airflow.api_fastapi.app import get_auth_manager

        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return get_auth_manager().get_url_login(next_url=target)
    except Exception:  # auth manager not initialised (e.g. outside the API server)
        return None
