"""Which assets are pending: the one rule the local runner and the dispatch to workers share.

An asset is pending when one of its steps waits to run and none of them failed (an asset
with a failed step waits for ``retry``). An asset ingested without processing has only its
"fetch" job: it first gets the jobs of its pipeline; if that pipeline cannot be queued (it
was deleted since the ingest), the asset fails with the reason instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from mediaarchive.db import Asset, Job
from mediaarchive.errors import MediaArchiveError
from mediaarchive.pipeline.jobs import queue_asset
from mediaarchive.pipeline.progress import NullReporter, Reporter

__all__ = ["Pending", "needs_queueing", "pending_assets", "queue_or_fail"]

#: Job states that mean an asset's pipeline is under way (or waits for 'retry').
UNDER_WAY = ("queued", "running", "failed")


@dataclass
class Pending:
    """Assets with steps to run, and those whose pipeline could not be queued (now failed)."""

    asset_ids: list[int] = field(default_factory=list)
    broken: list[int] = field(default_factory=list)


def needs_queueing(asset: Asset) -> bool:
    """Ingested (state queued) but its pipeline's jobs are not there yet."""
    return asset.state == "queued" and not any(j.state in UNDER_WAY for j in asset.jobs)


def queue_or_fail(session: Session, asset: Asset, home: Path | None, reporter: Reporter) -> bool:
    """Give the asset its pipeline's jobs; on a pipeline error mark it failed (False)."""
    try:
        queue_asset(session, asset, home=home)
    except MediaArchiveError as exc:  # e.g. the pipeline chosen at ingest no longer exists
        asset.state = "failed"
        reporter.message(f"Error: asset {asset.short_id}: {exc}")
        return False
    return True


def pending_assets(
    session: Session,
    asset_ids: Iterable[int] | None = None,
    *,
    home: Path | None = None,
    include_running: bool = False,
    reporter: Reporter | None = None,
) -> Pending:
    """The assets (of these, or of all) with steps to run, in id order.

    Args:
        include_running: count a running step as waiting too. The broker's tasks take over
            a step whose worker is gone (and wait for one that is alive); the local runner
            first requeues what its own dead processes left (``recover_interrupted``) and
            leaves running steps to whoever runs them.
        reporter: told why an asset's pipeline could not be queued.
    """
    reporter = reporter or NullReporter()
    wanted = list(asset_ids) if asset_ids is not None else None
    new = select(Asset).where(Asset.state == "queued", ~Asset.jobs.any(Job.state.in_(UNDER_WAY)))
    if wanted is not None:
        new = new.where(Asset.id.in_(wanted))
    broken = [
        asset.id
        for asset in session.scalars(new.order_by(Asset.id)).all()
        if not queue_or_fail(session, asset, home, reporter)
    ]
    session.flush()
    waiting = ("queued", "running") if include_running else ("queued",)
    failed = select(Job.asset_id).where(Job.state == "failed")
    query = (
        select(Job.asset_id).where(Job.state.in_(waiting), Job.asset_id.not_in(failed)).distinct()
    )
    if wanted is not None:
        query = query.where(Job.asset_id.in_(wanted))
    return Pending(asset_ids=sorted(session.scalars(query).all()), broken=sorted(broken))
