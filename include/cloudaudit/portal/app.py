"""The portal's FastAPI app: an HTML page and a JSON API over published reports.

Every route resolves the caller through Airflow's own authentication (bearer token or the
UI's ``_token`` cookie), then checks the country against ``access.py`` before it reads a
file: anonymous callers get 401, a country the user lacks 403 (and it is simply absent from
lists), a malformed value 400. Downloads are logged (who, what, when), never their content.
"""


import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response

from cloudaudit.portal.access import CountryAccess, access_from_env
from cloudaudit.portal.api_models import ReportFiles, ReportList, ReportSummary
from cloudaudit.portal.catalog import Catalog, ReportEntry
from cloudaudit.portal.names import (
    MAX_PARAM_CHARS,
    BadName,
    country_code,
    file_kind,
    report_file_name,
    run_date,
)
from cloudaudit.portal.outputs import Outputs
from cloudaudit.portal.page import render_page

audit = logging.getLogger("cloudaudit.portal.audit")
MAX_QUERY_CHARS = 512
MAX_LIMIT = 1000
_MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "zip": "application/zip"}
_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                               "frame-ancestors 'self'",
}


def airflow_user_dependency() -> Callable[..., Any]:
    """Airflow's ``get_user``: bearer token first, then the UI's cookie; 401 without either."""
    from airflow.api_fastapi.core_api.security import get_user

    return get_user


def _bad(exc: BadName) -> HTTPException:
    return HTTPException(status_code=400, detail=str(exc))


def _file_url(country: str, day: str, kind: str) -> str:
    # relative to the portal's root, so that an Airflow base_url subpath keeps working
    return f"api/reports/{country}/{day}/{report_file_name(country, day, kind)}"  # type: ignore[arg-type]


def _summary(entry: ReportEntry) -> ReportSummary:
    counts, bundle = entry.counts, entry.bundle
    return ReportSummary(
        country=entry.country, date=entry.day,
        fail_by_severity=counts.fail_by_severity if counts else None,
        open_critical=counts.open_critical if counts else None,
        max_days_open=counts.max_days_open if counts else None,
        verified=bundle.verified if bundle else None,
        verify_problems=list(bundle.problems) if bundle else [],
        signer_fingerprint=bundle.fingerprint if bundle else None,
        files=ReportFiles(
            spreadsheet=_file_url(entry.country, entry.day, "xlsx") if "xlsx" in entry.files else None,
            bundle=_file_url(entry.country, entry.day, "zip") if "zip" in entry.files else None))


def create_app(output_root: str | None = None, *, access: CountryAccess | None = None,
               public_key: Path | None = None) -> FastAPI:
    """The portal app; ``output_root`` defaults to ``CLOUDAUDIT_OUTPUT`` (read per request when unset)."""
    app = FastAPI(title="cloudaudit compliance reports", version="1",
                  description="Per-country compliance reports and evidence bundles, behind Airflow's login.",
                  docs_url="/api/docs", openapi_url="/api/openapi.json", redoc_url=None)
    user_dep = airflow_user_dependency()
    User = Annotated[Any, Depends(user_dep)]
    state: dict[str, Any] = {}

    def catalog() -> Catalog:
        root = output_root or os.environ.get("CLOUDAUDIT_OUTPUT", "")
        if not root:
            raise HTTPException(status_code=503, detail="CLOUDAUDIT_OUTPUT is not set on the api-server")
        if state.get("root") != root:
            key = public_key or (Path(p) if (p := os.environ.get("CLOUDAUDIT_PORTAL_PUBLIC_KEY")) else None)
            state["root"], state["catalog"] = root, Catalog(Outputs(root), key)
        return state["catalog"]  # type: ignore[no-any-return]

    def country_access() -> CountryAccess:
        if access is not None:
            return access
        if "access" not in state:
            state["access"] = access_from_env()
        return state["access"]  # type: ignore[no-any-return]

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Any]) -> Response:
        if len(request.url.query) > MAX_QUERY_CHARS or len(request.url.path) > 4 * MAX_PARAM_CHARS + 64:
            return JSONResponse({"detail": "request URL too long"}, status_code=414)
        response: Response = await call_next(request)
        for name, value in _SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    def listing(user: Any, country: str | None, since: str | None, until: str | None,
                limit: int) -> ReportList:
        try:
            wanted = country_code(country) if country else None
            first = run_date(since, "from") if since else None
            last = run_date(until, "to") if until else None
        except BadName as exc:
            raise _bad(exc) from None
        if first and last and first > last:
            raise HTTPException(status_code=400, detail="from must not be after to")
        cat = catalog()
        pairs = cat.pairs()
        visible = country_access().visible(user, {c for c, _ in pairs} | ({wanted} if wanted else set()))
        if wanted is not None:
            if wanted not in visible:
                raise HTTPException(status_code=403, detail=f"no access to country {wanted}")
            visible = {wanted}
        rows = cat.select(pairs, visible, first, last, limit)
        return ReportList(reports=[_summary(cat.entry(c, d, files)) for c, d, files in rows],
                          countries=sorted(visible))

    def authorize(user: Any, country: str, day: str) -> tuple[str, str]:
        try:
            code, when = country_code(country), run_date(day)
        except BadName as exc:
            raise _bad(exc) from None
        if not country_access().allowed(user, code):
            raise HTTPException(status_code=403, detail=f"no access to country {code}")
        return code, when

    Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="at most this many reports, newest first")]
    CountryQ = Annotated[str | None, Query(max_length=MAX_PARAM_CHARS, description="ISO 3166-1 alpha-2")]
    FromQ = Annotated[str | None, Query(alias="from", max_length=MAX_PARAM_CHARS, description="YYYY-MM-DD")]
    ToQ = Annotated[str | None, Query(alias="to", max_length=MAX_PARAM_CHARS, description="YYYY-MM-DD")]

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page(user: User, country: CountryQ = None, since: FromQ = None, until: ToQ = None,
             limit: Limit = 200) -> HTMLResponse:
        try:
            result = listing(user, country or None, since or None, until or None, limit)
            error = None
        except HTTPException as exc:
            if exc.status_code in (401, 503):
                raise
            result, error = ReportList(reports=[], countries=[]), str(exc.detail)
        return HTMLResponse(render_page(result, str(user.get_name()), country or "", since or "", until or "",
                                        error), status_code=200 if error is None else 400)

    @app.get("/api/reports", response_model=ReportList, summary="Reports this user may see")
    def list_reports(user: User, country: CountryQ = None, since: FromQ = None, until: ToQ = None,
                     limit: Limit = 200) -> ReportList:
        return listing(user, country, since, until, limit)

    @app.get("/api/reports/{country}/{date}", response_model=ReportSummary, summary="One report")
    def report(user: User, country: str, date: str) -> ReportSummary:
        code, when = authorize(user, country, date)
        cat = catalog()
        files = cat.published(code, when)
        if not files:
            raise HTTPException(status_code=404, detail=f"no report for {code} on {when}")
        return _summary(cat.entry(code, when, files))

    @app.get("/api/reports/{country}/{date}/{file}", summary="Download the spreadsheet or the bundle",
             responses={200: {"content": {_MEDIA["xlsx"]: {}, _MEDIA["zip"]: {}}},
                        307: {"description": "a short-lived presigned URL (S3 outputs)"}})
    def download(user: User, country: str, date: str, file: str) -> Response:
        code, when = authorize(user, country, date)
        try:
            kind = file_kind(code, when, file)
        except BadName as exc:
            raise _bad(exc) from None
        outputs = catalog().outputs
        key = outputs.key(code, when, kind)
        name = report_file_name(code, when, kind)
        path = outputs.local_path(key)
        url = None if path else outputs.presigned_url(key, name)
        if path is None and (url is None or outputs.version(key) is None):
            raise HTTPException(status_code=404, detail=f"{name} is not published")
        audit.info("download user=%s country=%s date=%s file=%s at=%s", user.get_name(), code, when, name,
                   datetime.now(UTC).isoformat(timespec="seconds"))
        if path is not None:
            return FileResponse(path, media_type=_MEDIA[kind], filename=name)
        return RedirectResponse(url or "", status_code=307)

    return app
