"""The demo's curation stage: the page export's event and file names become a real event
name and titles, misheard names are corrected with replace, the transcript is approved."""

from __future__ import annotations

from types import SimpleNamespace

from mediaarchive import services
from mediaarchive.db import Event
from mediaarchive.demo.base import DemoContext
from mediaarchive.demo.curate import curate
from tests.fixtures import transcripts


def test_curate_names_titles_corrects_and_approves(archive) -> None:  # type: ignore[no-untyped-def]
    with archive.session() as session:
        page = Event(name="000_8e33b6325b9cc12a")
        session.add(page)
        shot = transcripts.add_asset(
            session, name="shot", kind="image", filename="004.png", title="004.png"
        )
        talk = transcripts.add_asset(
            session, name="talk", kind="video", filename="Labcamp4_Hallerberg.mp4",
            title="Labcamp4_Hallerberg.mp4",
        )  # fmt: skip
        shot.events.append(page)
        talk.events.append(page)
        transcripts.add_transcript(
            session,
            talk,
            [
                (0.0, 4.0, "Was ein solches Super-Baby-Lap auszeichnet, haben wir festgehalten."),
                (4.5, 8.0, "Das Stadtrabo ist eine Einrichtung der Stadt Soest."),
            ],
        )
        results = [
            SimpleNamespace(id=a.short_id, sha256=a.sha256, kind=a.kind) for a in (shot, talk)
        ]
        ids = {"shot": shot.short_id, "talk": talk.short_id}
    lines: list[str] = []
    ctx = DemoContext(archive, results=results, echo=lines.append)
    curate(ctx)

    assert ctx.event == "Labcamp 4"
    assert [e["name"] for e in services.status.list_events(archive)] == ["Labcamp 4"]
    shot_detail = services.views.asset_detail(archive, ids["shot"])
    talk_detail = services.views.asset_detail(archive, ids["talk"])
    assert shot_detail["title"] == "Whiteboard: Ideensammlung"
    assert (talk_detail["title"], talk_detail["speakers"]) == (
        "Keynote: Lebenszyklen von Innovationslaboren",
        ["Prof. Mark Hallerberg"],
    )
    transcript = talk_detail["transcript"]
    assert [s["text"] for s in transcript["segments"]] == [
        "Was ein solches Super-Baby-Lab auszeichnet, haben wir festgehalten.",
        "Das Stadtlabor ist eine Einrichtung der Stadt Soest.",
    ]
    assert (transcript["revision"], transcript["review"]) == (3, "approved")
    output = "\n".join(lines)
    assert 'mediaarchive events rename "000_8e33b6325b9cc12a" "Labcamp 4"' in output
    assert f'transcript replace --asset {ids["talk"]} "Super-Baby-Lap" "Super-Baby-Lab"' in output
    assert "voice is synthetic (espeak-ng) and the model is Whisper base" in output
    assert services.revision_views.transcript_diff(archive, ids["talk"], 1, 3).lines[0].marked == (
        "Was ein solches [-Super-Baby-Lap-] {+Super-Baby-Lab+} auszeichnet, haben wir festgehalten."
    )
    history = services.history.asset_history(archive, ids["talk"])
    assert {h.by for h in history} == {"demo"}
