"""Notion page exports: titles, headings and the text near each link, as an archivist reads them."""

from __future__ import annotations

from pathlib import Path

from mediaarchive.sources.pages import read_page

SEED = (
    Path(__file__).resolve().parents[2] / "mediaarchive" / "demo_data" / "000_8e33b6325b9cc12a.txt"
)


def test_seed_page_headings_links_and_context() -> None:
    page = read_page(SEED)
    assert page.title is None
    assert page.name == "000_8e33b6325b9cc12a"
    assert page.headings == [
        "Mitwirkende",
        "StadtLABOR Soest",
        "Hertie School of Governance Berlin",
    ]
    assets = {link.url.rsplit("/", 1)[-1]: link for link in page.asset_links}
    assert set(assets) == {
        "004.png",
        "Bildschirmfoto_2021-07-13_um_13.22.18.png",
        "Labcamp4_Hallerberg.mp4",
    }
    # A link before the first heading belongs to the page as a whole.
    assert assets["004.png"].heading is None
    assert assets["004.png"].context.startswith("Mit einem Impuls von Prof. Mark Hallerberg")
    screenshot = assets["Bildschirmfoto_2021-07-13_um_13.22.18.png"]
    assert screenshot.heading == "StadtLABOR Soest"
    assert screenshot.headings == ["Mitwirkende", "StadtLABOR Soest"]
    assert "Gastgeberrolle" in screenshot.context
    video = assets["Labcamp4_Hallerberg.mp4"]
    assert video.heading == "Hertie School of Governance Berlin"
    assert "Good Governance" in video.context
    # The homepage is kept as a page link, not fetched.
    assert [(link.url, link.heading) for link in page.other_links] == [
        ("https://stadtlabor-soest.de/", "StadtLABOR Soest")
    ]
    assert len(page.paragraphs) == 7


def test_markdown_export(tmp_path: Path) -> None:
    (tmp_path / "Labcamp 5").mkdir()
    (tmp_path / "Labcamp 5" / "Tafel.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    page_path = tmp_path / "Labcamp 5 0123456789abcdef0123456789abcdef.md"
    page_path.write_text(
        "# Labcamp 5\n\nEin Tag im Labor.\n\n## Ergebnisse\n\n"
        "![Tafel](Labcamp%205/Tafel.png)\n\nDie Tafel nach dem Workshop.\n\n"
        "Mehr auf [der Website](https://example.org/) und im "
        "[Mitschnitt](https://s3.eu-central-1.amazonaws.com/talks/mitschnitt.mp4).\n",
        encoding="utf-8",
    )
    page = read_page(page_path)
    assert page.title == "Labcamp 5"
    assert page.name == "Labcamp 5"
    by_url = {link.url: link for link in page.links}
    tafel = by_url["Labcamp%205/Tafel.png"]
    assert tafel.is_asset and tafel.heading == "Ergebnisse"
    assert tafel.context.startswith("Die Tafel nach dem Workshop.")
    assert by_url["https://s3.eu-central-1.amazonaws.com/talks/mitschnitt.mp4"].is_asset
    assert not by_url["https://example.org/"].is_asset


def test_html_export(tmp_path: Path) -> None:
    page_path = tmp_path / "Labcamp 6.html"
    page_path.write_text(
        "<html><head><title>Labcamp 6</title><style>p{}</style></head><body>"
        "<header><h1 class='page-title'>Labcamp 6</h1></header>"
        "<p>Einleitung zum Tag.</p><h2>Keynote</h2>"
        "<figure class='image'><a href='https://s3.amazonaws.com/b/keynote.mp4'>"
        "<img src='https://s3.amazonaws.com/b/keynote.mp4'/></a></figure>"
        "<p>Die Keynote über <a href='https://example.org/'>Labore</a>.</p>"
        "</body></html>",
        encoding="utf-8",
    )
    page = read_page(page_path)
    assert page.title == "Labcamp 6"
    assert page.headings == ["Keynote"]
    keynote, homepage = page.links
    assert keynote.url == "https://s3.amazonaws.com/b/keynote.mp4" and keynote.is_asset
    assert keynote.heading == "Keynote"
    assert keynote.context == "Die Keynote über Labore."
    assert not homepage.is_asset and homepage.context == "Die Keynote über Labore."
