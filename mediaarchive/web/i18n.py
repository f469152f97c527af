"""The web page's words in German (default) and English, and how a request picks one.

A small dict is all the page needs; ``?lang=en`` (remembered in a cookie) or the browser's
``Accept-Language`` switches it.
"""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("de", "en")
COOKIE = "lang"

STRINGS: dict[str, dict[str, str]] = {
    "de": {
        "site_name": "Medienarchiv",
        "login": "Anmelden",
        "logout": "Abmelden",
        "username": "Benutzername",
        "password": "Passwort",
        "logged_in_as": "Angemeldet als {name} ({role})",
        "role_viewer": "Lesen",
        "role_editor": "Bearbeiten",
        "role_admin": "Verwaltung",
        "login_wrong": "Benutzername oder Passwort ist falsch (oder das Konto ist gesperrt).",
        "login_wait": "Zu viele Fehlversuche: bitte etwas später erneut versuchen.",
        "login_csrf": "Das Formular ist abgelaufen: bitte die Seite neu laden und erneut anmelden.",
        "skip": "Zum Inhalt springen",
        "switch_language": "English",
        "switch_language_code": "en",
        "search": "Suche",
        "search_label": "Suchbegriff",
        "search_placeholder": "Was wurde gesagt oder gezeigt?",
        "search_button": "Suchen",
        "filters": "Filter",
        "apply_filters": "Filter anwenden",
        "reset_filters": "Filter zurücksetzen",
        "all": "alle",
        "event": "Veranstaltung",
        "events": "Veranstaltungen",
        "speaker": "Sprecher:in",
        "speakers": "Sprecher:innen",
        "kind": "Art",
        "source": "Fundstelle",
        "since": "ab Datum",
        "until": "bis Datum",
        "kind_video": "Video",
        "kind_audio": "Audio",
        "kind_image": "Bild",
        "kind_other": "Sonstiges",
        "source_speech": "Gesprochen",
        "source_slide": "Folie",
        "source_image": "Bild",
        "source_metadata": "Metadaten",
        "hits": "{n} Treffer",
        "no_hits": "Keine Treffer für „{q}“.",
        "results_for": "Treffer für „{q}“",
        "at_time": "bei {t}",
        "open_hit": "Öffnen bei {t}",
        "assets": "Medien",
        "asset_count": "{n} Medien",
        "no_events": "Noch keine Veranstaltungen im Archiv.",
        "no_assets": "Diese Veranstaltung hat noch keine Medien.",
        "transcript": "Transkript",
        "transcript_help": "Jede Zeile springt an ihre Stelle im Video.",
        "no_transcript": "Noch kein Transkript.",
        "no_player": "Noch keine abspielbare Fassung: "
        "die Verarbeitung läuft oder ist fehlgeschlagen.",
        "track_label": "Deutsch",
        "downloads": "Downloads",
        "subtitles": "Untertitel",
        "transcript_text": "Transkript (Text)",
        "transcript_json": "Transkript (JSON, mit Wörtern)",
        "original": "Original",
        "proxy": "Web-Fassung (MP4)",
        "checksum": "Prüfsumme (SHA-256)",
        "size": "Größe",
        "duration": "Dauer",
        "date": "Datum",
        "state": "Status",
        "ocr_text": "Erkannter Text",
        "no_ocr": "In diesem Bild wurde kein Text erkannt.",
        "slides": "Folien",
        "slide_at": "Folie bei {t}",
        "description": "Beschreibung",
        "sources": "Herkunft",
        "image_alt": "Bild: {title}",
        "poster_alt": "Standbild: {title}",
        "error": "Fehler",
        "back_to_search": "Zur Suche",
        "api": "JSON-API",
        "state_queued": "wartet",
        "state_running": "in Arbeit",
        "state_done": "fertig",
        "state_failed": "fehlgeschlagen",
    },
    "en": {
        "site_name": "Media archive",
        "login": "Log in",
        "logout": "Log out",
        "username": "User name",
        "password": "Password",
        "logged_in_as": "Logged in as {name} ({role})",
        "role_viewer": "viewer",
        "role_editor": "editor",
        "role_admin": "admin",
        "login_wrong": "Wrong user name or password (or the account is disabled).",
        "login_wait": "Too many failed attempts: please try again a little later.",
        "login_csrf": "The form has expired: reload the page and log in again.",
        "skip": "Skip to content",
        "switch_language": "Deutsch",
        "switch_language_code": "de",
        "search": "Search",
        "search_label": "Search term",
        "search_placeholder": "What was said or shown?",
        "search_button": "Search",
        "filters": "Filters",
        "apply_filters": "Apply filters",
        "reset_filters": "Reset filters",
        "all": "all",
        "event": "Event",
        "events": "Events",
        "speaker": "Speaker",
        "speakers": "Speakers",
        "kind": "Kind",
        "source": "Found in",
        "since": "From date",
        "until": "Until date",
        "kind_video": "Video",
        "kind_audio": "Audio",
        "kind_image": "Image",
        "kind_other": "Other",
        "source_speech": "Speech",
        "source_slide": "Slide",
        "source_image": "Image",
        "source_metadata": "Metadata",
        "hits": "{n} hits",
        "no_hits": "No hits for “{q}”.",
        "results_for": "Hits for “{q}”",
        "at_time": "at {t}",
        "open_hit": "Open at {t}",
        "assets": "Media",
        "asset_count": "{n} media",
        "no_events": "No events in the archive yet.",
        "no_assets": "This event has no media yet.",
        "transcript": "Transcript",
        "transcript_help": "Every line jumps to its place in the video.",
        "no_transcript": "No transcript yet.",
        "no_player": "No playable version yet: processing is running or has failed.",
        "track_label": "German",
        "downloads": "Downloads",
        "subtitles": "Subtitles",
        "transcript_text": "Transcript (text)",
        "transcript_json": "Transcript (JSON, with words)",
        "original": "Original",
        "proxy": "Web version (MP4)",
        "checksum": "Checksum (SHA-256)",
        "size": "Size",
        "duration": "Duration",
        "date": "Date",
        "state": "State",
        "ocr_text": "Recognised text",
        "no_ocr": "No text was recognised in this image.",
        "slides": "Slides",
        "slide_at": "Slide at {t}",
        "description": "Description",
        "sources": "Sources",
        "image_alt": "Image: {title}",
        "poster_alt": "Still: {title}",
        "error": "Error",
        "back_to_search": "Back to search",
        "api": "JSON API",
        "state_queued": "queued",
        "state_running": "running",
        "state_done": "done",
        "state_failed": "failed",
    },
}


def pick_language(
    query: str | None, cookie: str | None, accept_language: str | None, default: str = "de"
) -> str:
    """The page language: ``?lang=`` first, then the cookie, then Accept-Language."""
    for explicit in (query, cookie):
        if explicit and explicit.lower()[:2] in LANGUAGES:
            return explicit.lower()[:2]
    if accept_language:
        ranked: list[tuple[float, int, str]] = []
        for position, part in enumerate(accept_language.split(",")):
            tag, _, params = part.strip().partition(";")
            quality = 1.0
            if params.strip().startswith("q="):
                try:
                    quality = float(params.strip()[2:])
                except ValueError:
                    quality = 0.0
            code = tag.strip().lower()[:2]
            if code in LANGUAGES and quality > 0:
                ranked.append((-quality, position, code))
        if ranked:
            return min(ranked)[2]
    return default if default in LANGUAGES else "de"


def translator(language: str) -> Callable[..., str]:
    """``t("hits", n=3)``: the string for a key in this language, formatted."""
    table = STRINGS[language]
    fallback = STRINGS["de"]

    def translate(key: str, **values: object) -> str:
        text = table.get(key) or fallback.get(key) or key
        return text.format(**values) if values else text

    return translate
