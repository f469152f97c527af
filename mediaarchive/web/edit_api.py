"""The JSON API's writes: metadata, transcript lines, review (``Authorization: Bearer TOKEN``
from ``users token``, or a logged-in browser sending ``X-CSRF-Token``).

Each route is a call of ``services.permitted``, which checks the account's role and records
the change with the account's name.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from mediaarchive.services import Archive, permitted
from mediaarchive.services.accounts import Account
from mediaarchive.web.auth import writer
from mediaarchive.web.deps import get_archive
from mediaarchive.web.media import AssetId
from mediaarchive.web.schemas import ErrorDocument

WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorDocument, "description": "The change cannot be made as asked."},
    401: {"model": ErrorDocument, "description": "No account: log in or send a token."},
    403: {"model": ErrorDocument, "description": "The role may not, or no CSRF token."},
    404: {"model": ErrorDocument, "description": "No such asset (or not visible to you)."},
}

router = APIRouter(prefix="/api", responses=WRITE_ERRORS, tags=["editing"])


class MetadataChange(BaseModel):
    """The ``edit`` fields; a field left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, max_length=500)
    description: str | None = Field(None, max_length=10_000)
    speakers: list[str] | None = Field(None, max_length=50)
    date: str | None = Field(None, max_length=10)
    language: str | None = Field(None, max_length=20)
    add_events: list[str] = Field(default_factory=list, max_length=20)
    remove_events: list[str] = Field(default_factory=list, max_length=20)


class FieldChangeDocument(BaseModel):
    field: str
    old: Any = None
    new: Any = None


class MetadataEditDocument(BaseModel):
    id: str
    title: str | None
    changes: list[FieldChangeDocument]
    indexed: int


class LineDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    segment: int = Field(description="The id of the segment version that was read.")
    text: str = Field(max_length=permitted.MAX_LINE)


class RevisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    segments: list[LineDocument] = Field(min_length=1, max_length=2000)
    note: str | None = Field(None, max_length=1000)


class RevisionDocument(BaseModel):
    id: str
    transcript: int
    revision: int
    parent: int | None
    changed: int
    review: str
    indexed: int
    segments: list[LineDocument] = Field(
        description="The saved lines' current versions (send these ids next time)."
    )


class ConflictDocument(BaseModel):
    detail: str
    segment: int | None = Field(None, description="The line's current version.")
    text: str | None = Field(None, description="The line's current text.")


class ReviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["approve", "start", "reopen"]


class ReviewDocument(BaseModel):
    id: str
    old: str
    new: str


@router.patch("/assets/{asset_id}", response_model=MetadataEditDocument)
def edit_asset(
    asset_id: AssetId,
    change: MetadataChange,
    account: Account = Depends(writer),
    archive: Archive = Depends(get_archive),
) -> dict[str, Any]:
    """Change the asset's metadata and events (as ``mediaarchive edit``)."""
    fields = change.model_dump(exclude_unset=True, exclude={"add_events", "remove_events"})
    return permitted.edit_metadata(
        archive,
        account,
        asset_id,
        fields,
        add_events=change.add_events,
        remove_events=change.remove_events,
    ).to_json()


@router.post(
    "/assets/{asset_id}/transcript/revisions",
    response_model=RevisionDocument,
    responses={409: {"model": ConflictDocument, "description": "Saved by someone else."}},
)
def save_revision(
    asset_id: AssetId,
    request: RevisionRequest,
    account: Account = Depends(writer),
    archive: Archive = Depends(get_archive),
) -> Any:
    """Save corrected lines as a new revision; a line saved by someone else since it was
    read is refused with 409 and its newer text."""
    lines = [permitted.LineEdit(line.segment, line.text) for line in request.segments]
    try:
        return permitted.save_lines(archive, account, asset_id, lines, note=request.note).to_json()
    except permitted.LineConflict as exc:
        return JSONResponse(
            {"detail": str(exc), "segment": exc.segment, "text": exc.text}, status_code=409
        )


@router.post("/assets/{asset_id}/review", response_model=ReviewDocument)
def set_review(
    asset_id: AssetId,
    request: ReviewRequest,
    account: Account = Depends(writer),
    archive: Archive = Depends(get_archive),
) -> dict[str, Any]:
    """Approve the transcript, start its review, or reopen it (as ``review ID --…``)."""
    change = permitted.set_review(archive, account, asset_id, request.action)
    return {"id": change.id, "old": change.old, "new": change.new}
