"""The media the demo's S3 endpoint serves at the seed's keys, made from the seed page.

The keynote video speaks every German paragraph of the page (espeak-ng ``de`` + ffmpeg).
The screenshots show German text of their own, text the page does not contain, so a search
that finds it shows that the text was read from the image.
"""

from __future__ import annotations

from pathlib import Path

from mediaarchive import services

KEYNOTE_SLIDE = ("Labcamp 4", "Keynote", "Lebenszyklen von Innovationslaboren")

#: Text on the two screenshots, by file name (none of it is on the page).
SCREENSHOT_TEXT: dict[str, tuple[str, list[str]]] = {
    "004.png": (
        "Whiteboard: Ideensammlung",
        [
            "Verwaltungsdigitalisierung beginnt mit Neugier",
            "Prototypen früh testen",
            "Bürgerbeteiligung von Anfang an",
            "Fehlerkultur und Mut zum Experiment",
        ],
    ),
    "Bildschirmfoto_2021-07-13_um_13.22.18.png": (
        "Werkstattbericht Datenkompetenz",
        [
            "Sensoren messen die Luftqualität am Marktplatz",
            "Offene Daten für alle Ämter",
            "Nächster Termin: Ideenwerkstatt im Rathaus",
        ],
    ),
}

_VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv", ".webm")


def keynote_video(page: services.demo.SeedPage) -> Path:
    """The keynote: every paragraph of the page spoken in German, over a title slide."""
    return services.demo.talk_video(page.paragraphs, slide=KEYNOTE_SLIDE)


def screenshot(name: str) -> Path:
    """A screenshot PNG with its own German text (a generic one for unknown names)."""
    title, lines = SCREENSHOT_TEXT.get(name, ("Notizen", ["Ergebnisse der Arbeitsgruppe"]))
    return services.demo.text_image(lines, title=title)


def seed_objects(page: services.demo.SeedPage) -> list[tuple[str, str, Path]]:
    """(bucket, key, file) for every S3 object the page links to."""
    objects: list[tuple[str, str, Path]] = []
    for item in page.objects:
        if item.filename.lower().endswith(_VIDEO_SUFFIXES):
            path = keynote_video(page)
        else:
            path = screenshot(item.filename)
        objects.append((item.bucket, item.key, path))
    return objects
