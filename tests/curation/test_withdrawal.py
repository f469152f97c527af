"""Withdraw and restore, visibility: a withdrawn asset is hidden from search, status, show's
listings, the web page, the JSON API and export, and comes back with restore; anonymous web
visitors see only public assets once accounts exist (SQLite and PostgreSQL for the library)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from mediaarchive import services, synth
from mediaarchive.archive import Archive
from mediaarchive.errors import NotFoundError, UserError
from mediaarchive.services import accounts
from mediaarchive.web.app import create_app
from tests.fixtures.search import SearchArchive
from tests.helpers import run_cli


def _found(archive: Archive, query: str) -> set[str]:
    return {hit.asset_id for hit in services.search.search(archive, query)}


def test_withdraw_hides_everywhere_and_restore_brings_it_back(curated: SearchArchive) -> None:
    archive, keynote = curated.archive, curated.ids["keynote"]
    assert keynote in _found(archive, "Lebenszyklen")
    done = services.withdrawal.withdraw(archive, keynote, "Einwilligung widerrufen", by="anna")
    assert done.withdrawn and done.reason == "Einwilligung widerrufen"
    assert keynote not in _found(archive, "Lebenszyklen")
    assert keynote not in _found(archive, "Anna Müller")  # metadata too
    listed = {a["id"] for a in services.status.list_status(archive).assets}
    assert keynote not in listed and curated.ids["stadtlabor"] in listed
    everything = services.status.list_status(archive, withdrawn=True).assets
    entry = next(a for a in everything if a["id"] == keynote)
    assert entry["withdrawn"] and entry["visibility"] == "internal"
    # A full rebuild of the index keeps it out; its transcript and bytes are kept.
    services.search.reindex(archive)
    assert keynote not in _found(archive, "Lebenszyklen")
    assert services.transcripts.current_transcript(archive, keynote) is not None
    with pytest.raises(UserError, match="withdrawn already"):
        services.withdrawal.withdraw(archive, keynote, "noch einmal")
    services.withdrawal.restore(archive, keynote, by="anna")
    assert keynote in _found(archive, "Lebenszyklen")
    history = services.history.asset_history(archive, keynote)
    assert [(h.action, h.by, h.note) for h in history][-2:] == [
        ("withdraw", "anna", "Einwilligung widerrufen"),
        ("restore", "anna", None),
    ]
    with pytest.raises(UserError, match="not withdrawn"):
        services.withdrawal.restore(archive, keynote)
    with pytest.raises(UserError, match="say why"):
        services.withdrawal.withdraw(archive, keynote, "  ")
    with pytest.raises(NotFoundError):
        services.withdrawal.withdraw(archive, "abcdef12", "x")


def test_withdraw_on_the_command_line_asks_or_needs_yes(curated_sqlite: SearchArchive) -> None:
    options, keynote = curated_sqlite.cli_options, curated_sqlite.ids["keynote"]
    refused = run_cli(*options, "withdraw", keynote, "--reason", "Einwilligung widerrufen")
    assert refused.exit_code == 1
    assert "Add --yes" in refused.stderr and "nothing was changed" in refused.stderr
    listed = json.loads(run_cli(*options, "status", "--json").stdout)
    assert keynote in {a["id"] for a in listed}
    done = run_cli(
        *options, "withdraw", keynote, "--reason", "Einwilligung widerrufen", "--yes", "--json"
    )
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["withdrawn"] is True
    assert keynote not in {
        a["id"] for a in json.loads(run_cli(*options, "status", "--json").stdout)
    }
    all_assets = json.loads(run_cli(*options, "status", "--all", "--json").stdout)
    assert next(a for a in all_assets if a["id"] == keynote)["withdrawn"]
    shown = json.loads(run_cli(*options, "show", keynote, "--json").stdout)
    assert shown["withdrawn"] and shown["id"] == keynote
    hits = json.loads(run_cli(*options, "search", "Lebenszyklen", "--json").stdout)
    assert keynote not in {h["asset_id"] for h in hits}
    unknown = run_cli(*options, "withdraw", "abcdef12", "--reason", "x", "--yes")
    assert unknown.exit_code == 1 and unknown.stderr.startswith("Error: no asset")
    back = run_cli(*options, "restore", keynote)
    assert back.exit_code == 0
    hits = json.loads(run_cli(*options, "search", "Lebenszyklen", "--json").stdout)
    assert keynote in {h["asset_id"] for h in hits}
    visible = run_cli(*options, "edit", keynote, "--visibility", "public", "--json")
    assert json.loads(visible.stdout)["changes"] == [
        {"field": "visibility", "old": "internal", "new": "public"}
    ]
    bad = run_cli(*options, "edit", keynote, "--visibility", "secret")
    assert bad.exit_code == 2


def test_the_web_shows_anonymous_visitors_only_public_assets(curated_sqlite: SearchArchive) -> None:
    archive, ids = curated_sqlite.archive, curated_sqlite.ids
    keynote, stadtlabor = ids["keynote"], ids["stadtlabor"]
    services.editing.edit_asset(archive, stadtlabor, {"visibility": "public"}, by="test")
    services.editing.edit_event(archive, "Labcamp 4", {"visibility": "public"}, by="test")
    web = TestClient(create_app(archive), base_url="http://127.0.0.1")

    def seen() -> dict[str, int]:
        return {
            "keynote page": web.get(f"/assets/{keynote}").status_code,
            "keynote api": web.get(f"/api/assets/{keynote}").status_code,
            "keynote transcript": web.get(f"/api/assets/{keynote}/transcript").status_code,
            "stadtlabor api": web.get(f"/api/assets/{stadtlabor}").status_code,
        }

    # Single-user mode (no account, loopback): internal assets are shown.
    assert seen() == dict.fromkeys(seen(), 200)
    accounts.add_user(archive, "anna", "viewer", "Stadtlabor-2024")
    assert seen() == {
        "keynote page": 404,
        "keynote api": 404,
        "keynote transcript": 404,
        "stadtlabor api": 200,
    }
    listed = {a["id"] for a in web.get("/api/assets").json()}
    assert listed == {stadtlabor}
    hits = {h["asset_id"] for h in web.get("/api/search", params={"q": "Labor"}).json()}
    assert hits == {stadtlabor}
    events = {e["name"] for e in web.get("/api/events").json()}
    assert events == {"Labcamp 4"}
    # A viewer who logs in sees the internal assets, but never a withdrawn one.
    page = web.get("/login").text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    web.post(
        "/login", data={"username": "anna", "password": "Stadtlabor-2024", "csrf_token": token}
    )
    assert web.get(f"/api/assets/{keynote}").status_code == 200
    services.withdrawal.withdraw(archive, keynote, "Einwilligung widerrufen", by="test")
    assert web.get(f"/api/assets/{keynote}").status_code == 404
    assert web.get(f"/assets/{keynote}/original").status_code == 404


def test_export_leaves_out_withdrawn_and_internal_assets(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    pictures = [
        synth.text_image([f"Folie {n}"], title=f"Folie {n}", size=(320, 180)) for n in (1, 2, 3)
    ]
    for picture in pictures:
        result = cli("ingest", str(picture), "--event", "Labcamp 4", "--no-process", "--json")
        assert result.exit_code == 0, result.stderr
    ids = [a["id"] for a in json.loads(cli("status", "--json").stdout)]
    assert len(ids) == 3
    assert cli("edit", ids[0], "--visibility", "public").exit_code == 0
    assert cli("withdraw", ids[1], "--reason", "Einwilligung widerrufen", "--yes").exit_code == 0
    everything = json.loads(
        cli("export", "--event", "Labcamp 4", "--to", str(tmp_path / "bag"), "--json").stdout
    )
    assert everything["assets"] == 2
    assert not (tmp_path / "bag" / "data" / ids[1]).exists()
    public = json.loads(
        cli(
            "export",
            "--event",
            "Labcamp 4",
            "--to",
            str(tmp_path / "pub"),
            "--public-only",
            "--json",
        ).stdout
    )
    assert public["assets"] == 1
    assert (tmp_path / "pub" / "data" / ids[0]).is_dir()
    assert not (tmp_path / "pub" / "data" / ids[2]).exists()


def test_serve_public_only_has_no_log_in(curated_sqlite: SearchArchive) -> None:
    archive, ids = curated_sqlite.archive, curated_sqlite.ids
    services.editing.edit_asset(archive, ids["stadtlabor"], {"visibility": "public"}, by="t")
    policy = services.serving.host_policy(archive.settings, "127.0.0.1", public_only=True)
    web = TestClient(create_app(archive, hosts=policy), base_url="http://127.0.0.1")
    assert web.get("/login").status_code == 404
    assert web.post("/login", data={}).status_code == 404
    assert web.get(f"/api/assets/{ids['keynote']}").status_code == 404  # internal
    assert web.get(f"/api/assets/{ids['stadtlabor']}").status_code == 200
    assert "/login" not in web.get("/").text


def test_default_visibility_setting_applies_to_new_assets(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = synth.text_image(["Intern"], title="Intern", size=(320, 180))
    assert run_cli("--home", str(home), "ingest", str(first), "--no-process").exit_code == 0
    monkeypatch.setenv("MEDIAARCHIVE_DEFAULT_VISIBILITY", "public")
    second = synth.text_image(["Offen"], title="Offen", size=(320, 180))
    assert run_cli("--home", str(home), "ingest", str(second), "--no-process").exit_code == 0
    listed = json.loads(run_cli("--home", str(home), "status", "--json").stdout)
    assert [a["visibility"] for a in listed] == ["internal", "public"]
