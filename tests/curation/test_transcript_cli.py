"""The transcript commands through the CLI with --json: edit --from, replace (confirmation
only on a terminal), history, diff, revert; bad input is one error line."""

from __future__ import annotations

import json
from pathlib import Path

from mediaarchive import services
from tests.fixtures.search import SearchArchive
from tests.helpers import run_cli


def test_edit_from_a_file_then_history_diff_and_revert(
    curated_sqlite: SearchArchive, tmp_path: Path
) -> None:
    options, keynote = curated_sqlite.cli_options, curated_sqlite.ids["keynote"]
    form = run_cli(*options, "transcript", "edit", keynote, "--print").stdout
    edited = tmp_path / "form.txt"
    edited.write_text(form.replace("beim Labcamp.", "beim Labcamp 4."), encoding="utf-8")
    saved = run_cli(*options, "transcript", "edit", keynote, "--from", str(edited), "--json")
    assert saved.exit_code == 0, saved.stderr
    assert json.loads(saved.stdout) | {"indexed": 0} == {
        "id": keynote,
        "transcript": json.loads(saved.stdout)["transcript"],
        "revision": 2,
        "parent": 1,
        "changed": 1,
        "review": "machine",
        "indexed": 0,
    }
    history = json.loads(run_cli(*options, "transcript", "history", keynote, "--json").stdout)
    assert [(h["number"], h["action"], h["added"], h["removed"]) for h in history] == [
        (1, "asr", 4, 0),
        (2, "edit", 1, 1),
    ]
    diff = json.loads(run_cli(*options, "transcript", "diff", keynote, "1", "2", "--json").stdout)
    assert [line["marked"] for line in diff["lines"]] == [
        "Herzlich willkommen zur Keynote beim [-Labcamp.-] {+Labcamp 4.+}"
    ]
    reverted = run_cli(*options, "transcript", "revert", keynote, "1", "--json")
    assert json.loads(reverted.stdout)["revision"] == 3
    assert services.views.asset_detail(curated_sqlite.archive, keynote)["transcript"]["segments"][
        0
    ]["text"] == ("Herzlich willkommen zur Keynote beim Labcamp.")
    changes = json.loads(run_cli(*options, "history", keynote, "--json").stdout)
    assert [(c["action"], c["field"], c["old"], c["new"]) for c in changes] == [
        ("transcript-edit", "transcript", 1, 2),
        ("transcript-revert", "transcript", 2, 3),
    ]


def test_replace_asks_only_on_a_terminal(curated_sqlite: SearchArchive) -> None:
    options = curated_sqlite.cli_options
    args = ["transcript", "replace", "--event", "Labcamp 4", "Labcamp.", "Labcamp 4."]
    dry = run_cli(*options, *args, "--dry-run")
    assert dry.exit_code == 0
    assert "[Labcamp. → Labcamp 4.]" in dry.stdout
    refused = run_cli(*options, *args)  # no terminal, no --yes: nothing is saved
    assert refused.exit_code == 1
    assert refused.stderr.splitlines()[-1] == (
        "Error: 1 change(s) in 1 asset(s): add --yes to save them (or --dry-run to see them)"
    )
    keynote = curated_sqlite.ids["keynote"]
    assert (
        services.views.asset_detail(curated_sqlite.archive, keynote)["transcript"]["revision"] == 1
    )
    done = run_cli(*options, *args, "--yes", "--json")
    assert done.exit_code == 0, done.stderr
    document = json.loads(done.stdout)
    assert (document["assets"], [r["revision"] for r in document["revisions"]]) == (1, [2])
    hits = json.loads(run_cli(*options, "search", "Labcamp 4", "--json").stdout)
    assert any(h["asset_id"] == keynote and h["source"] == "speech" for h in hits)


def test_bad_transcript_input_is_one_error_line(curated_sqlite: SearchArchive, tmp_path) -> None:  # type: ignore[no-untyped-def]
    options, keynote = curated_sqlite.cli_options, curated_sqlite.ids["keynote"]
    broken = tmp_path / "broken.txt"
    form = run_cli(*options, "transcript", "edit", keynote, "--print").stdout
    broken.write_text(form.replace("[0:00:05.2]", "0:00:05.2"), encoding="utf-8")
    for args in (
        ["transcript", "edit", keynote, "--from", str(broken)],
        ["transcript", "replace", "", "x", "--yes"],
        ["transcript", "history", "ffffffffff"],
        ["transcript", "revert", keynote, "5"],
    ):
        result = run_cli(*options, *args)
        assert result.exit_code == 1, args
        assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, args
    assert (
        "line 6" in run_cli(*options, "transcript", "edit", keynote, "--from", str(broken)).stderr
    )
    assert services.history.asset_history(curated_sqlite.archive, keynote) == []


def test_edit_reads_the_form_from_stdin(curated_sqlite: SearchArchive) -> None:
    options, keynote = curated_sqlite.cli_options, curated_sqlite.ids["keynote"]
    form = run_cli(*options, "transcript", "edit", keynote, "--print").stdout
    saved = run_cli(
        *options, "transcript", "edit", keynote, "--from", "-", "--json",
        input=form.replace("Menschen und Zeit.", "Menschen, Zeit und Geld."),
    )  # fmt: skip
    assert json.loads(saved.stdout)["revision"] == 2
    texts = [s["text"] for s in services.views.asset_detail(curated_sqlite.archive, keynote)[
        "transcript"]["segments"]]  # fmt: skip
    assert texts[2] == "Ein Innovationslabor braucht Räume, Menschen, Zeit und Geld."
    missing = run_cli(*options, "transcript", "edit", keynote, "--from", "/no/such/form.txt")
    assert missing.exit_code == 1 and "cannot read the form /no/such/form.txt" in missing.stderr
