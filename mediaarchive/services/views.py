"""The archive as its readers see it: the asset, event, status and transcript views.

One definition of each view of the JSON contract (design.md): the CLI's ``status``, ``show``
and ``events``, the web page and its API all build them here, so the keys stay the same
everywhere. Records leave as dataclasses (``to_json()`` gives the contract's keys) or as the
contract's dicts built here, never as ORM rows.

Functions that take a ``session`` read in the caller's session (``read_session`` opens one
that never writes); those that take the ``archive`` open their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from mediaarchive.archive import Archive, find_asset
from mediaarchive.db import Asset, Event, Job, Rendition, Transcript
from mediaarchive.db.models import asset_events
from mediaarchive.errors import NotFoundError
from mediaarchive.search.filters import match_events
from mediaarchive.services import audience
from mediaarchive.subtitles import segments_json
from mediaarchive.vocabulary import AssetKind, AssetState, JobState

__all__ = [
    "AssetSummary",
    "EventDetail",
    "EventRef",
    "EventSummary",
    "ReadSession",
    "StepView",
    "asset_detail",
    "asset_summary",
    "current_transcript",
    "event_detail",
    "event_summaries",
    "format_time",
    "list_assets",
    "list_events",
    "preview_kinds",
    "read_session",
    "step_summary",
    "transcript_json",
]

#: Kinds with a timeline: they are played, transcribed and searched by time.
TIMED_KINDS = (AssetKind.VIDEO, AssetKind.AUDIO)
#: Renditions that picture an asset in lists, the better first.
PREVIEW_KINDS = ("thumbnail", "poster")


#: What ``read_session`` yields; the edges only hand it back to the functions here.
ReadSession = Session


@contextmanager
def read_session(archive: Archive) -> Iterator[Session]:
    """A session for reading only: whatever happens in it is rolled back, never committed."""
    session = archive.db.sessions()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def lookup_asset(session: Session, asset_id: str) -> Asset:
    """The asset row for an id as a user gives it (for use inside services only).

    Raises:
        UserError: not an id; NotFoundError: unknown; AmbiguousIdError: several match.
    """
    asset = find_asset(session, asset_id[:64])
    if not audience.visible(asset, withdrawn=True):
        raise NotFoundError(f"no asset with id {asset_id[:64]}: see the start page for assets")
    return asset


# --- Status: assets and their steps ------------------------------------------------------


@dataclass(frozen=True)
class StepView:
    """One step of an asset's pipeline, as ``status --json`` lists it."""

    name: str
    state: JobState
    attempts: int
    error: str | None
    seconds: float | None
    worker: str | None

    @classmethod
    def of(cls, job: Job) -> StepView:
        return cls(
            name=job.step,
            state=JobState(job.state),
            attempts=job.attempts,
            error=job.error,
            seconds=job.seconds,
            worker=job.worker,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "state": self.state,
            "attempts": self.attempts,
            "error": self.error,
            "seconds": self.seconds,
            "worker": self.worker,
        }


@dataclass(frozen=True)
class EventRef:
    """An event an asset belongs to: enough to name and link it."""

    id: int
    name: str


@dataclass(frozen=True)
class AssetSummary:
    """An asset as lists show it: the ``status --json`` entry, plus what pages show of it."""

    id: str
    sha256: str
    kind: AssetKind
    title: str | None
    state: AssetState
    events: list[EventRef]
    steps: list[StepView]
    filename: str | None
    mime: str | None
    size: int
    speakers: list[str]
    date: str | None
    description: str | None
    #: Seconds, from the probe (None until probed, and for stills).
    duration: float | None
    #: The original or a rendition was found missing or corrupt ('mediaarchive repair').
    damaged: bool = False
    #: The current transcript's revision and review state (None without one).
    revision: int | None = None
    review: str | None = None
    #: ``public`` or ``internal``; when withdrawn, the time and the reason.
    visibility: str = "internal"
    withdrawn: str | None = None
    withdrawn_reason: str | None = None

    @classmethod
    def of(cls, asset: Asset) -> AssetSummary:
        return cls(
            id=asset.short_id,
            sha256=asset.sha256,
            kind=AssetKind(asset.kind),
            title=asset.title,
            state=AssetState(asset.state),
            events=[EventRef(event.id, event.name) for event in asset.events],
            steps=[StepView.of(job) for job in asset.jobs],
            filename=asset.filename,
            mime=asset.mime,
            size=asset.size,
            speakers=[str(name) for name in asset.speakers or []],
            date=asset.date,
            description=asset.description,
            duration=(asset.probe or {}).get("duration"),
            damaged=bool(asset.damaged) or any(r.damaged for r in asset.renditions),
            revision=current.revision if (current := asset.current_transcript) else None,
            review=current.review if current else None,
            visibility=asset.visibility or "internal",
            withdrawn=asset.withdrawn_at.isoformat() if asset.withdrawn_at else None,
            withdrawn_reason=asset.withdrawn_reason,
        )

    @property
    def event(self) -> str | None:
        """The first event the asset was ingested under."""
        return self.events[0].name if self.events else None

    @property
    def label(self) -> str:
        """What to call the asset: its title, else its file name, else its id."""
        return self.title or self.filename or self.id

    @property
    def timed(self) -> bool:
        """A recording (video, audio): it has a timeline, a player and a transcript."""
        return self.kind in TIMED_KINDS

    def to_json(self) -> dict[str, Any]:
        """``status --json``: id, sha256, kind, title, event, events, state, steps, damaged."""
        return {
            "id": self.id,
            "sha256": self.sha256,
            "kind": self.kind,
            "title": self.title,
            "event": self.event,
            "events": [event.name for event in self.events],
            "state": self.state,
            "steps": [step.to_json() for step in self.steps],
            "damaged": self.damaged,
            "revision": self.revision,
            "review": self.review,
            "visibility": self.visibility,
            "withdrawn": self.withdrawn,
        }


def step_summary(job: Job) -> dict[str, Any]:
    """A ``steps`` entry of the status JSON: name, state, attempts, error, seconds, worker."""
    return StepView.of(job).to_json()


def asset_summary(asset: Asset | AssetSummary) -> dict[str, Any]:
    """``status --json`` entry of an asset (given as a row or as its ``AssetSummary``)."""
    summary = asset if isinstance(asset, AssetSummary) else AssetSummary.of(asset)
    return summary.to_json()


def list_assets(
    session: Session,
    *,
    event: str | None = None,
    kind: str | None = None,
    state: str | None = None,
    withdrawn: bool = False,
) -> list[AssetSummary]:
    """Assets in ingest order, filtered by event, kind and state; withdrawn ones only when
    asked (``status --all``), and only what the reading audience may see.

    ``event`` matches as every read command's ``--event`` does (``match_events``). Read as
    five plain queries (assets, their events, steps, damaged renditions, current
    transcripts), not as ORM objects: ``status`` on a thousand assets stays well under a
    second.
    """
    conditions = []
    if event:
        conditions.append(Asset.events.any(Event.id.in_(match_events(session, event))))
    if kind:
        conditions.append(Asset.kind == kind)
    if state:
        conditions.append(Asset.state == state)
    clause = audience.asset_clause(withdrawn=withdrawn)
    if clause is not None:
        conditions.append(clause)
    rows = session.execute(
        select(
            Asset.id,
            Asset.sha256,
            Asset.kind,
            Asset.title,
            Asset.state,
            Asset.filename,
            Asset.mime,
            Asset.size,
            Asset.speakers,
            Asset.date,
            Asset.description,
            Asset.probe,
            Asset.damaged,
            Asset.visibility,
            Asset.withdrawn_at,
            Asset.withdrawn_reason,
        )
        .where(*conditions)
        .order_by(Asset.id)
    ).all()
    if not rows:
        return []
    chosen = select(Asset.id).where(*conditions).scalar_subquery()
    events: dict[int, list[EventRef]] = {}
    for asset_pk, event_pk, name in session.execute(
        select(asset_events.c.asset_id, Event.id, Event.name)
        .join(Event, Event.id == asset_events.c.event_id)
        .where(asset_events.c.asset_id.in_(chosen))
        .order_by(asset_events.c.asset_id, Event.id)
    ):
        events.setdefault(asset_pk, []).append(EventRef(event_pk, name))
    steps: dict[int, list[StepView]] = {}
    for job in session.execute(
        select(Job.asset_id, Job.step, Job.state, Job.attempts, Job.error, Job.seconds, Job.worker)
        .where(Job.asset_id.in_(chosen))
        .order_by(Job.asset_id, Job.position, Job.id)
    ):
        steps.setdefault(job.asset_id, []).append(
            StepView(
                job.step, JobState(job.state), job.attempts, job.error, job.seconds, job.worker
            )
        )
    damaged_renditions = set(
        session.scalars(
            select(Rendition.asset_id)
            .where(Rendition.asset_id.in_(chosen), Rendition.damaged.is_not(None))
            .where(Rendition.damaged != "")
        )
    )
    current: dict[int, tuple[int, str]] = {}
    for asset_pk, revision, review in session.execute(
        select(Transcript.asset_id, Transcript.revision, Transcript.review)
        .where(Transcript.asset_id.in_(chosen), Transcript.current.is_(True))
        .order_by(Transcript.id)
    ):
        current[asset_pk] = (revision, review)  # the newest current one wins, as on the row
    return [
        AssetSummary(
            id=row.sha256[:12],
            sha256=row.sha256,
            kind=AssetKind(row.kind),
            title=row.title,
            state=AssetState(row.state),
            events=events.get(row.id, []),
            steps=steps.get(row.id, []),
            filename=row.filename,
            mime=row.mime,
            size=row.size,
            speakers=[str(name) for name in row.speakers or []],
            date=row.date,
            description=row.description,
            duration=(row.probe or {}).get("duration"),
            damaged=bool(row.damaged) or row.id in damaged_renditions,
            revision=current[row.id][0] if row.id in current else None,
            review=current[row.id][1] if row.id in current else None,
            visibility=row.visibility or "internal",
            withdrawn=row.withdrawn_at.isoformat() if row.withdrawn_at else None,
            withdrawn_reason=row.withdrawn_reason,
        )
        for row in rows
    ]


# --- Show: one asset in full --------------------------------------------------------------


def asset_detail(archive: Archive, asset: Asset | AssetSummary | str) -> dict[str, Any]:
    """``show --json``: everything known about one asset (the full contract).

    Args:
        asset: the asset's row, its ``AssetSummary`` or its id (6+ hex digits); for the
            latter two the record is read in a session of its own.

    Raises:
        NotFoundError, AmbiguousIdError, UserError: for an id that names no single asset.
    """
    if not isinstance(asset, Asset):
        asset_id = asset.sha256 if isinstance(asset, AssetSummary) else asset
        with read_session(archive) as session:
            return asset_detail(archive, lookup_asset(session, asset_id))
    store = archive.store
    current = asset.current_transcript
    detail = asset_summary(asset)
    detail.update(
        {
            "size": asset.size,
            "mime": asset.mime,
            "filename": asset.filename,
            "description": asset.description,
            "speakers": list(asset.speakers or []),
            "language": asset.language,
            "date": asset.date,
            "pipeline": asset.pipeline,
            "metadata": dict(asset.extra or {}),
            "created_at": asset.created_at.isoformat() if asset.created_at else None,
            "original": {**_blob(store, asset.blob_key), "damaged": asset.damaged},
            "source_urls": [link.url for link in asset.sources],
            "sources": [
                {
                    "url": link.url,
                    "scheme": link.scheme,
                    "page": link.page,
                    "heading": link.heading,
                    "context": link.context,
                    "etag": link.etag,
                    "fetched_at": link.fetched_at.isoformat() if link.fetched_at else None,
                }
                for link in asset.sources
            ],
            "probe": asset.probe,
            "renditions": [
                {
                    "kind": r.kind,
                    "label": r.label,
                    **_blob(store, r.blob_key),
                    "mime": r.mime,
                    "size": r.size,
                    "sha256": r.sha256,
                    "params": r.params,
                    "damaged": r.damaged,
                }
                for r in asset.renditions
            ],
            "transcript": transcript_json(current) if current is not None else None,
            "transcripts": [
                {
                    "id": t.id,
                    "model": t.model,
                    "language": t.language,
                    "created": t.created_at.isoformat() if t.created_at else None,
                    "current": bool(t.current),
                    "complete": bool(t.complete),
                }
                for t in asset.transcripts
            ],
            "ocr": [
                {
                    "text": o.text,
                    "start": o.start,
                    "end": o.end,
                    "source": o.source,
                    "confidence": o.confidence,
                    "words": list(o.words or []),
                }
                for o in asset.ocr_texts
            ],
        }
    )
    return detail


def _blob(store: Any, key: str) -> dict[str, Any]:
    path = store.local_path(key)
    return {"path": str(path.resolve()) if path is not None else None, "uri": store.uri_for(key)}


# --- Transcripts ---------------------------------------------------------------------------


def transcript_json(transcript: Transcript) -> dict[str, Any]:
    """A transcript as ``show --json``'s ``transcript`` has it: segments with their words."""
    return {
        "id": transcript.id,
        "model": transcript.model,
        "language": transcript.language,
        "language_probability": transcript.language_probability,
        "duration": transcript.duration,
        "complete": bool(transcript.complete),
        "revision": transcript.revision,
        "review": transcript.review,
        "provenance": transcript.provenance,
        "segments": segments_json(transcript),
    }


def find_current_transcript(session: Session, asset: Asset) -> Transcript | None:
    """The asset's current transcript row with its segments loaded (words load when read;
    for use inside services only)."""
    return session.scalar(
        select(Transcript)
        .where(Transcript.asset_id == asset.id, Transcript.current.is_(True))
        .order_by(Transcript.id.desc())
        .options(selectinload(Transcript.segments))
        .limit(1)
    )


def require_transcript(session: Session, asset: Asset) -> Transcript:
    """The asset's current transcript row (for use inside services only).

    Raises:
        NotFoundError: the asset has none yet; the message says how to get one.
    """
    transcript = find_current_transcript(session, asset)
    if transcript is None:
        raise NotFoundError(
            f"asset {asset.short_id} has no transcript yet: transcribe it with "
            f"'mediaarchive transcribe {asset.short_id}'"
        )
    return transcript


def current_transcript(session: Session, asset_id: str) -> dict[str, Any]:
    """The asset's current transcript (``transcript_json``).

    Raises:
        NotFoundError: no such asset, or it has no transcript yet.
    """
    return transcript_json(require_transcript(session, lookup_asset(session, asset_id)))


# --- Events ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventSummary:
    """An event with how many assets it holds, as ``events --json`` lists it."""

    id: int
    name: str
    date: str | None
    assets: int
    source: str | None
    description: str | None
    #: Links on the event's page that are not assets: ``{url, heading}``.
    page_links: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """``events --json``: name, date, number of assets (plus source and page links)."""
        return {
            "name": self.name,
            "date": self.date,
            "assets": self.assets,
            "source": self.source,
            "description": self.description,
            "page_links": self.page_links,
        }


def list_events(session: Session, *, newest_first: bool = False) -> list[EventSummary]:
    """Every event with its asset count: in the order they were added, or newest date first."""
    counting = select(asset_events.c.event_id, func.count()).group_by(asset_events.c.event_id)
    clause = audience.asset_clause()
    if clause is not None:
        counting = counting.join(Asset, Asset.id == asset_events.c.asset_id).where(clause)
    counts = dict(session.execute(counting).all())
    query = select(Event).options(selectinload(Event.page_links))
    if (shown := audience.event_clause()) is not None:
        query = query.where(shown)
    if newest_first:
        query = query.order_by(Event.date.desc().nulls_last(), Event.name)
    else:
        query = query.order_by(Event.id)
    return [
        EventSummary(
            id=event.id,
            name=event.name,
            date=event.date,
            assets=counts.get(event.id, 0),
            source=event.source,
            description=event.description,
            page_links=[{"url": link.url, "heading": link.heading} for link in event.page_links],
        )
        for event in session.scalars(query)
    ]


def event_summaries(session: Session) -> list[dict[str, Any]]:
    """``events --json``: name, date, number of assets (plus source and page links)."""
    return [event.to_json() for event in list_events(session)]


def preview_kinds(session: Session, asset_ids: set[str]) -> dict[str, str]:
    """For each asset (by id) that has one, the rendition that pictures it: its thumbnail,
    else its poster."""
    if not asset_ids:
        return {}
    short = func.substr(Asset.sha256, 1, 12)
    rows = session.execute(
        select(short, Rendition.kind)
        .join(Rendition, Rendition.asset_id == Asset.id)
        .where(short.in_(asset_ids), Rendition.kind.in_(PREVIEW_KINDS), Rendition.label == "")
    ).all()
    kinds: dict[str, str] = {}
    for asset_id, kind in sorted(rows, key=lambda row: PREVIEW_KINDS.index(row[1])):
        kinds.setdefault(asset_id, kind)
    return kinds


@dataclass(frozen=True)
class EventDetail:
    """One event with its assets (the web's event page and ``/api/events/ID``)."""

    id: int
    name: str
    date: str | None
    description: str | None
    assets: list[AssetSummary]
    #: Asset id -> the rendition kind that pictures it (see ``preview_kinds``).
    previews: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "date": self.date,
            "description": self.description,
            "assets": [asset.to_json() for asset in self.assets],
        }


def event_detail(session: Session, event_id: int) -> EventDetail:
    """The event with this id and its assets.

    Raises:
        NotFoundError: no such event.
    """
    event = session.scalar(
        select(Event)
        .where(Event.id == event_id)
        .options(
            selectinload(Event.assets).selectinload(Asset.events),
            selectinload(Event.assets).selectinload(Asset.jobs),
        )
    )
    if event is None or not audience.visible_event(event):
        raise NotFoundError(f"no event with id {event_id}: the start page lists the events")
    assets = [AssetSummary.of(asset) for asset in event.assets if audience.visible(asset)]
    return EventDetail(
        id=event.id,
        name=event.name,
        date=event.date,
        description=event.description,
        assets=assets,
        previews=preview_kinds(session, {asset.id for asset in assets}),
    )


def format_time(seconds: float | None) -> str:
    """``1:02:03`` or ``2:03`` for a time in seconds (empty for none)."""
    if seconds is None:
        return ""
    total = int(max(0.0, seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
