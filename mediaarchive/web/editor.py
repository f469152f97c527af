"""Editing in the browser, as forms: metadata, review, search and replace within a talk, and
the asset's history (``/assets/ID/edit``). Line corrections on the talk page go through the
JSON API (``static/editor.js``). Every write is a ``services.permitted`` call.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from mediaarchive.errors import MediaArchiveError, UserError
from mediaarchive.services import Archive, history, pages, permitted, views
from mediaarchive.services.accounts import may
from mediaarchive.web.auth import csrf_token, current_account, form_writer, read_form
from mediaarchive.web.deps import get_archive
from mediaarchive.web.i18n import translator
from mediaarchive.web.rendering import render, request_language

router = APIRouter(include_in_schema=False)

REVIEW_ACTIONS = ("approve", "start", "reopen")


def _names(text: str) -> list[str]:
    """Speakers as typed in the form: one per line or separated by semicolons."""
    parts = text.replace(";", "\n").splitlines()
    return [" ".join(part.split()) for part in parts if part.strip()]


def _done_message(done: str | None) -> tuple[str, dict[str, Any]] | None:
    """The translation key (and values) of a ``?done=`` after a write."""
    if not done:
        return None
    if done.startswith("replaced_") and done[9:].isdigit():
        return "done_replaced", {"n": int(done[9:])}
    if done in ("saved", "unchanged", *(f"review_{a}" for a in REVIEW_ACTIONS)):
        return f"done_{done}", {}
    return None


def _edit_page(
    request: Request,
    archive: Archive,
    asset_id: str,
    *,
    message: tuple[str, dict[str, Any]] | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    account = current_account(request)
    if not may(account, "editor"):
        raise HTTPException(403, "editing needs the role editor")
    with views.read_session(archive) as session:
        page = pages.asset_page(session, asset_id)
    entries = history.asset_history(archive, asset_id)
    return render(
        request,
        "edit.html",
        {
            "asset": page.asset,
            "title": page.asset.label,
            "language": page.language or "",
            "history": list(reversed(entries)),
            "message": message,
            "error": error,
            "csrf": csrf_token(request),
            "review_actions": REVIEW_ACTIONS,
        },
        status_code=status,
    )


@router.get("/assets/{asset_id}/edit", response_class=HTMLResponse)
def edit_page(request: Request, asset_id: str, archive: Archive = Depends(get_archive)) -> Response:
    """The editing page: metadata form, review, search and replace, history."""
    if current_account(request) is None:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    return _edit_page(
        request, archive, asset_id, message=_done_message(request.query_params.get("done"))
    )


async def _write(
    request: Request, asset_id: str, archive: Archive, act: Any, then: str | None = None
) -> Response:
    """Run one form write; success goes back to the editing page with a message (303), or to
    ``then``; a refused change shows the page again with the error (nothing changed)."""
    form = await read_form(request)
    account = form_writer(request, form)
    try:
        message = act(account, form)
    except MediaArchiveError as exc:
        if exc.http_status in (401, 403, 404):
            raise
        return _edit_page(request, archive, asset_id, error=str(exc), status=exc.http_status)
    location = then or f"/assets/{asset_id}/edit?done={quote(message)}"
    return RedirectResponse(location, status_code=303)


@router.post("/assets/{asset_id}/edit")
async def save_metadata(
    request: Request, asset_id: str, archive: Archive = Depends(get_archive)
) -> Response:
    """Save the metadata form (title, description, speakers, date, language, events)."""

    def act(account: Any, form: dict[str, str]) -> str:
        with views.read_session(archive) as session:
            before = pages.asset_page(session, asset_id)
        changes: dict[str, Any] = {}
        for name in ("title", "description", "date", "language", "visibility"):
            if name in form:
                value = form[name].strip()
                old = getattr(before.asset, name, None) if name != "language" else before.language
                if value != (old or ""):
                    changes[name] = value or None
        if "speakers" in form:
            speakers = _names(form["speakers"])
            if speakers != before.asset.speakers:
                changes["speakers"] = speakers
        add = [form["add_event"].strip()] if form.get("add_event", "").strip() else []
        remove = [e.name for e in before.asset.events if form.get(f"remove_event_{e.id}")]
        done = permitted.edit_metadata(
            archive, account, asset_id, changes, add_events=add, remove_events=remove
        )
        return "saved" if done.changes else "unchanged"

    return await _write(request, asset_id, archive, act)


@router.post("/assets/{asset_id}/review")
async def review(
    request: Request, asset_id: str, archive: Archive = Depends(get_archive)
) -> Response:
    """Approve the transcript ("Freigeben"), start its review, or reopen it."""

    def act(account: Any, form: dict[str, str]) -> str:
        action = form.get("action", "")
        if action not in REVIEW_ACTIONS:
            raise HTTPException(400, "unknown review action")
        permitted.set_review(archive, account, asset_id, action)
        return f"review_{action}"

    return await _write(request, asset_id, archive, act)


@router.post("/assets/{asset_id}/replace")
async def replace(
    request: Request, asset_id: str, archive: Archive = Depends(get_archive)
) -> Response:
    """Search and replace whole words within this talk's transcript."""

    def act(account: Any, form: dict[str, str]) -> str:
        result = permitted.replace_in_transcript(
            archive, account, asset_id, form.get("old", ""), form.get("new", "")
        )
        return f"replaced_{len(result.changes)}"

    return await _write(request, asset_id, archive, act)


@router.post("/assets/{asset_id}/withdraw")
async def withdraw(
    request: Request, asset_id: str, archive: Archive = Depends(get_archive)
) -> Response:
    """ "Zurückziehen": withdraw the asset with a reason, once the box confirming it is ticked.
    The asset is then hidden everywhere; the editor lands on the start page."""

    def act(account: Any, form: dict[str, str]) -> str:
        if form.get("confirm") != "yes":
            raise UserError(translator(request_language(request))("withdraw_confirm_first"))
        permitted.withdraw(archive, account, asset_id, form.get("reason", ""))
        return "withdrawn"

    return await _write(request, asset_id, archive, act, then="/?withdrawn=1")
