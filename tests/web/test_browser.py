"""The web page in a real headless Chromium: search, watch, seek, read, escape."""

from __future__ import annotations

import re

import pytest

from tests.fixtures.transcripts import assert_cues_say
from tests.fixtures.web import XSS_TEXT, WebArchive, screenshot

pytestmark = pytest.mark.slow


def wait_for_media(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function(
        "() => document.getElementById('player').readyState >= 1", timeout=20_000
    )


def wait_for_time(page, seconds: float, tolerance: float) -> None:  # type: ignore[no-untyped-def]
    """Wait until the player's playhead is within ``tolerance`` of ``seconds``."""
    page.wait_for_function(
        "([t, tol]) => Math.abs(document.getElementById('player').currentTime - t) < tol",
        arg=[seconds, tolerance],
        timeout=10_000,
    )


def current_time(page) -> float:  # type: ignore[no-untyped-def]
    return page.evaluate("document.getElementById('player').currentTime")


def test_search_hit_opens_the_talk_at_the_spoken_word(
    page,
    web_url: str,  # type: ignore[no-untyped-def]
    web_archive: WebArchive,
) -> None:
    page.goto(web_url + "/")
    page.fill("#q", "Innovationslabor")
    page.keyboard.press("Enter")
    page.wait_for_selector("ol.hits")
    hit = page.locator("li.hit", has=page.locator(".source-speech")).first
    assert hit.locator("mark").first.inner_text().lower() == "innovationslabor"
    assert "Labcamp 4" in hit.inner_text()
    assert "Anna Beispiel" in hit.inner_text()
    screenshot(page, "search-results")

    spoken_at = next(
        start for start, _end, text in web_archive.segments if "Innovationslabor" in text
    )
    hit.locator("a.hit-link").click()
    page.wait_for_url(re.compile(rf"/assets/{web_archive.talk_id}#t="))
    wait_for_media(page)
    wait_for_time(page, spoken_at, 0.5)
    assert abs(current_time(page) - spoken_at) < 0.5

    # The German subtitle track loaded and its cues are there.
    page.wait_for_function("() => document.querySelector('track').readyState === 2", timeout=10_000)
    cues = page.evaluate("""() => {
        const track = document.getElementById('player').textTracks[0];
        return {lang: track.language, mode: track.mode,
                texts: Array.from(track.cues, cue => cue.text)};
    }""")
    assert cues["lang"] == "de" and cues["mode"] == "showing"
    # What the viewer reads: the spoken words in order, spaced (none glued together).
    assert cues["texts"][0].startswith("Willkommen zum Labcamp.")
    assert_cues_say(cues["texts"], [text for _s, _e, text in web_archive.segments])
    # The line being spoken is highlighted.
    page.wait_for_selector("#transcript a.current")
    assert "Innovationslabor" in page.inner_text("#transcript a.current")
    screenshot(page, "talk")


def test_transcript_lines_seek_the_video_by_click_and_keyboard(  # type: ignore[no-untyped-def]
    page, web_url: str, web_archive: WebArchive
) -> None:
    page.goto(f"{web_url}/assets/{web_archive.talk_id}")
    wait_for_media(page)
    assert current_time(page) == 0
    lines = page.locator("#transcript a.line")
    assert lines.count() == len(web_archive.segments)

    lines.nth(3).click()
    target = web_archive.segments[3][0]
    wait_for_time(page, target, 0.3)
    page.wait_for_selector("#transcript a.current[aria-current=true]")
    assert page.inner_text("#transcript a.current").endswith(web_archive.segments[3][2])

    # Keyboard only: focus the second line and press Enter.
    lines.nth(1).focus()
    page.keyboard.press("Enter")
    target = web_archive.segments[1][0]
    wait_for_time(page, target, 0.3)

    # Playing moves the highlight along with the speech: once the playhead is past the next
    # line's start (the player is paused there, so a slow machine cannot overshoot it), that
    # line is the highlighted one.
    later_start, later_end, later_text = web_archive.segments[2]
    page.evaluate(
        "() => { const v = document.getElementById('player'); v.muted = true; return v.play(); }"
    )
    page.wait_for_function(
        """t => { const v = document.getElementById('player');
                  if (v.currentTime > t) { v.pause(); return true; } return false; }""",
        arg=later_start + 0.3,
        timeout=60_000,
    )
    assert later_start < current_time(page) < later_end
    page.wait_for_function(
        """text => { const lines = document.querySelectorAll('#transcript a.current');
                     return lines.length === 1 && lines[0].innerText.endsWith(text); }""",
        arg=later_text,
        timeout=30_000,
    )
    assert page.inner_text("#transcript a.current").endswith(later_text)
    assert page.get_attribute("#transcript a.current", "aria-current") == "true"


def test_a_transcript_with_script_tags_shows_as_text(
    page,
    web_url: str,  # type: ignore[no-untyped-def]
    web_archive: WebArchive,
) -> None:
    page.goto(f"{web_url}/assets/{web_archive.xss_id}")
    page.wait_for_selector("#transcript")
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert XSS_TEXT in page.inner_text("#transcript")
    assert page.locator("#transcript script, #transcript img").count() == 0
    assert "<script>window.__xss = 3</script>Böse Titel" in page.inner_text("h1")
    assert "<b>Mallory</b>" in page.inner_text(".meta")
    # The search page escapes the same text in its snippets.
    page.goto(web_url + "/?q=Achtung")
    page.wait_for_selector("ol.hits")
    assert "<script>" in page.inner_text("ol.hits")
    assert page.evaluate("typeof window.__xss") == "undefined"
    screenshot(page, "xss-escaped")


def test_image_page_shows_the_image_and_its_text(
    page,
    web_url: str,  # type: ignore[no-untyped-def]
    web_archive: WebArchive,
) -> None:
    page.goto(f"{web_url}/assets/{web_archive.image_id}")
    image = page.locator(".image-box img")
    image.wait_for()
    page.wait_for_function("() => document.querySelector('.image-box img').naturalWidth > 0")
    assert "Innovationslabor Berlin" in page.inner_text(".ocr-box")
    assert "<b>" in page.inner_text(".ocr-box")
    screenshot(page, "image")


def test_event_page_lists_assets_with_pictures(
    page,
    web_url: str,  # type: ignore[no-untyped-def]
    web_archive: WebArchive,
) -> None:
    page.goto(f"{web_url}/events/{web_archive.event_id}")
    cards = page.locator(".card")
    assert cards.count() == 3
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.card img'))"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    assert page.locator(".card img").count() == 2  # the talk's poster, the image's thumbnail
    assert "Ein Tag über offene Daten & <Prototypen>." in page.inner_text(".description")
    screenshot(page, "event")


def test_phone_width_english_and_keyboard(
    chromium,
    web_url: str,  # type: ignore[no-untyped-def]
    web_archive: WebArchive,
) -> None:
    context = chromium.new_context(
        viewport={"width": 390, "height": 844},
        locale="en-US",
        extra_http_headers={"Accept-Language": "en"},
    )
    page = context.new_page()
    try:
        page.goto(web_url + "/")
        assert page.get_attribute("html", "lang") == "en"
        assert page.get_attribute("#q", "placeholder") == "What was said or shown?"
        # The search box has the focus: typing and Enter searches.
        page.keyboard.type("Prototypen")
        page.keyboard.press("Enter")
        page.wait_for_selector("ol.hits")
        assert re.search(r"Hits for “Prototypen” \d+ hits", page.inner_text("#results-heading"))
        screenshot(page, "search-phone-en")
        page.goto(f"{web_url}/assets/{web_archive.talk_id}?lang=de")
        # Tab from the top: the skip link comes first and leads to the content.
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.className") == "skip"
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "content"
        assert page.inner_text("#transcript-heading") == "Transkript"
        # Nothing is wider than the phone's screen.
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390
        video_box = page.locator("#player").bounding_box()
        transcript_box = page.locator("#transcript").bounding_box()
        assert transcript_box["y"] > video_box["y"] + video_box["height"] - 1  # stacked
        screenshot(page, "talk-phone")
    finally:
        context.close()
