"""The assets as lists show them: the ``status`` entries, the web's lists and ``/api/assets``.

Read with plain SQL (``mediaarchive.db.plain``), never through the ORM: ``status`` on a
thousand assets starts and answers in well under a second, as five queries (assets, their
events, steps, damaged renditions, current transcripts). SQLAlchemy loads only for an
``--event`` filter (its matching rule lives with search's filters); ``list_assets`` also
takes the caller's session (the web), reading in its transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mediaarchive.db.plain import (
    PlainReader,
    SqlAlchemyReader,
    iso_time,
    json_value,
    short_id,
)
from mediaarchive.services import audience
from mediaarchive.vocabulary import AssetKind, AssetState, JobState

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from mediaarchive.db import Asset, Job

__all__ = [
    "TIMED_KINDS",
    "AssetSummary",
    "EventRef",
    "StepView",
    "asset_summary",
    "list_assets",
    "matching_events",
    "step_summary",
]

#: Kinds with a timeline: they are played, transcribed and searched by time.
TIMED_KINDS = (AssetKind.VIDEO, AssetKind.AUDIO)


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


def reader_of(source: Session | PlainReader) -> PlainReader:
    """A plain reader as given, or one over a session (its pending changes flushed, so the
    listing sees what the caller's transaction wrote)."""
    if hasattr(source, "rows"):
        return source
    source.flush()
    return SqlAlchemyReader(source)


def matching_events(source: Session | PlainReader, wanted: str) -> list[int]:
    """Ids of the events ``--event wanted`` means (``search.filters.match_events``' rule)."""
    # The search package loads SQLAlchemy: only a listing filtered by event pays for it.
    from mediaarchive.search.filters import pick_events

    reader = reader_of(source)
    return pick_events(reader.rows("SELECT id, name FROM events ORDER BY id"), wanted)


_ASSET_COLUMNS = (
    "a.id, a.sha256, a.kind, a.title, a.state, a.filename, a.mime, a.size, a.speakers, "
    "a.date, a.description, a.probe, a.damaged, a.visibility, a.withdrawn_at, "
    "a.withdrawn_reason"
)


def list_assets(
    source: Session | PlainReader,
    *,
    event: str | None = None,
    kind: str | None = None,
    state: str | None = None,
    withdrawn: bool = False,
) -> list[AssetSummary]:
    """Assets in ingest order, filtered by event, kind and state; withdrawn ones only when
    asked (``status --all``), and only what the reading audience may see.

    ``event`` matches as every read command's ``--event`` does (``match_events``).

    Args:
        source: a plain reader (``Archive.reader``) or the caller's session.
    """
    reader = reader_of(source)
    conditions: list[str] = []
    params: dict[str, Any] = {}
    if event:
        event_ids = matching_events(reader, event)
        if not event_ids:
            return []
        conditions.append(
            "a.id IN (SELECT asset_id FROM asset_events WHERE event_id IN "
            f"({', '.join(str(int(event_id)) for event_id in event_ids)}))"
        )
    if kind:
        conditions.append("a.kind = :kind")
        params["kind"] = kind
    if state:
        conditions.append("a.state = :state")
        params["state"] = state
    if (shown := audience.asset_condition("a", withdrawn=withdrawn)) is not None:
        conditions.append(shown)
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    rows = reader.rows(f"SELECT {_ASSET_COLUMNS} FROM assets a {where} ORDER BY a.id", **params)
    if not rows:
        return []
    chosen = f"(SELECT a.id FROM assets a {where})"
    events: dict[int, list[EventRef]] = {}
    for asset_pk, event_pk, name in reader.rows(
        "SELECT ae.asset_id, e.id, e.name FROM asset_events ae "
        "JOIN events e ON e.id = ae.event_id "
        f"WHERE ae.asset_id IN {chosen} ORDER BY ae.asset_id, e.id",
        **params,
    ):
        events.setdefault(asset_pk, []).append(EventRef(event_pk, name))
    steps: dict[int, list[StepView]] = {}
    for asset_pk, step, step_state, attempts, error, seconds, worker in reader.rows(
        "SELECT j.asset_id, j.step, j.state, j.attempts, j.error, j.seconds, j.worker "
        f"FROM jobs j WHERE j.asset_id IN {chosen} ORDER BY j.asset_id, j.position, j.id",
        **params,
    ):
        steps.setdefault(asset_pk, []).append(
            StepView(step, JobState(step_state), attempts, error, seconds, worker)
        )
    damaged_renditions = {
        asset_pk
        for (asset_pk,) in reader.rows(
            f"SELECT r.asset_id FROM renditions r WHERE r.asset_id IN {chosen} "
            "AND r.damaged IS NOT NULL AND r.damaged != ''",
            **params,
        )
    }
    current: dict[int, tuple[int, str]] = {}
    for asset_pk, revision, review in reader.rows(
        "SELECT t.asset_id, t.revision, t.review FROM transcripts t "
        f"WHERE t.asset_id IN {chosen} AND t.current = :current ORDER BY t.id",
        current=True,
        **params,
    ):
        current[asset_pk] = (revision, review)  # the newest current one wins, as on the row
    return [
        AssetSummary(
            id=short_id(sha256),
            sha256=sha256,
            kind=AssetKind(asset_kind),
            title=title,
            state=AssetState(asset_state),
            events=events.get(asset_pk, []),
            steps=steps.get(asset_pk, []),
            filename=filename,
            mime=mime,
            size=size,
            speakers=[str(name) for name in json_value(speakers) or []],
            date=date,
            description=description,
            duration=(json_value(probe) or {}).get("duration"),
            damaged=bool(damaged) or asset_pk in damaged_renditions,
            revision=current[asset_pk][0] if asset_pk in current else None,
            review=current[asset_pk][1] if asset_pk in current else None,
            visibility=visibility or "internal",
            withdrawn=iso_time(withdrawn_at),
            withdrawn_reason=withdrawn_reason,
        )
        for (
            asset_pk,
            sha256,
            asset_kind,
            title,
            asset_state,
            filename,
            mime,
            size,
            speakers,
            date,
            description,
            probe,
            damaged,
            visibility,
            withdrawn_at,
            withdrawn_reason,
        ) in rows
    ]
