"""The media the demo's S3 endpoint serves at the seed's keys, made from the seed page.

The keynote video speaks every German paragraph of the page (espeak-ng ``de`` + ffmpeg).
The screenshots show German text of their own, text the page does not contain, so a search
that finds it shows that the text was read from the image.
"""

from __future__ import annotations

from pathlib import Path

from mediaarchive import synth
from mediaarchive.sources.pages import Page
from mediaarchive.sources.urls import parse_location

KEYNOTE_SLIDE = ("Labcamp 4", "Keynote", "Lebenszyklen von Innovationslaboren")

#: Text on the two screenshots, by file name (none of it is on the page).
SCREENSHOT_TEXT: dict[str, tuple[str, list[str]]] = {
    "004.png": ("Whiteboard: Ideensammlung", [
        "Verwaltungsdigitalisierung beginnt mit Neugier",
        "Prototypen früh testen",
        "Bürgerbeteiligung von Anfang an",
        "Fehlerkultur und Mut zum Experiment",
    ]),
    "Bildschirmfoto_2021-07-13_um_13.22.18.png": ("Werkstattbericht Datenkompetenz", [
        "Sensoren messen die Luftqualität am Marktplatz",
        "Offene Daten für alle Ämter",
        "Nächster Termin: Ideenwerkstatt im Rathaus",
    ]),
}


def keynote_video(page: Page) -> Path:
    """The keynote: every paragraph of the page spoken in German, over a title slide."""
    return synth.talk_video(page.paragraphs, voices=("de",), pause=0.8,
                            image_lines=KEYNOTE_SLIDE)


def screenshot(name: str) -> Path:
    """A screenshot PNG with its own German text (a generic one for unknown names)."""
    title, lines = SCREENSHOT_TEXT.get(name, ("Notizen", ["Ergebnisse der Arbeitsgruppe"]))
    return synth.text_image(lines, title=title, size=(1280, 720), font_size=44)


def seed_objects(page: Page) -> list[tuple[str, str, Path]]:
    """(bucket, key, file) for every asset link of the page."""
    objects: list[tuple[str, str, Path]] = []
    for link in page.asset_links:
        location = parse_location(link.url)
        if location.bucket is None or location.key is None:
            continue
        name = location.filename
        if name.lower().endswith((".mp4", ".mov", ".mkv", ".webm")):
            path = keynote_video(page)
        else:
            path = screenshot(name)
        objects.append((location.bucket, location.key, path))
    return objects
