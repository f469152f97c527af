"""Pipeline files: built-in ones load; mistakes are errors naming the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from mediaarchive.errors import PipelineError
from mediaarchive.pipeline.definitions import (
    default_pipeline,
    find_pipeline,
    list_pipelines,
    load_pipeline,
)


def test_builtin_pipelines_pick_default_by_kind() -> None:
    assert default_pipeline("video").name == "keynote"
    assert default_pipeline("audio").name == "keynote"
    assert default_pipeline("image").name == "screenshot"
    keynote = find_pipeline("keynote")
    assert [s.name for s in keynote.steps][:3] == ["fetch", "probe", "transcode"]
    assert keynote.steps[2].effective_params()["proxy_max_height"] == 720
    assert {p.name for p in list_pipelines()} >= {"keynote", "screenshot"}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_unknown_step_names_file_and_line(tmp_path: Path) -> None:
    bad = write(
        tmp_path / "bad.yaml", "name: bad\nkinds: [video]\nsteps:\n  - probe\n  - transcod\n"
    )
    with pytest.raises(PipelineError) as caught:
        load_pipeline(bad)
    message = str(caught.value)
    assert str(bad) in message and "line 5" in message and "'transcod'" in message
    assert "transcode" in message  # lists the known steps


def test_unknown_parameter_names_file_and_line(tmp_path: Path) -> None:
    bad = write(
        tmp_path / "bad.yaml",
        "steps:\n  - transcode:\n      proxy: true\n      proxy_max_heigth: 480\n",
    )
    with pytest.raises(
        PipelineError,
        match=r"line 4: step 'transcode' has no parameter "
        r"'proxy_max_heigth'",
    ):
        load_pipeline(bad)


def test_wrong_parameter_type_and_bad_yaml(tmp_path: Path) -> None:
    wrong = write(tmp_path / "wrong.yaml", "steps:\n  - thumbnail:\n      max_size: big\n")
    with pytest.raises(PipelineError, match="line 3: parameter 'max_size' .* must be int"):
        load_pipeline(wrong)
    broken = write(tmp_path / "broken.yaml", "steps:\n  - probe\n   - transcode: [\n")
    with pytest.raises(PipelineError, match="broken.yaml, line 3: not valid YAML"):
        load_pipeline(broken)
    kinds = write(tmp_path / "kinds.yaml", "kinds: [vidoe]\nsteps: [probe]\n")
    with pytest.raises(PipelineError, match="line 1: unknown asset kind 'vidoe'"):
        load_pipeline(kinds)


def test_home_pipelines_add_and_override(tmp_path: Path) -> None:
    folder = tmp_path / "pipelines"
    folder.mkdir()
    write(
        folder / "quick.yaml",
        "name: quick\nkinds: [video]\nsteps:\n  - probe\n"
        "  - transcode: {proxy: false, poster: false}\n",
    )
    assert default_pipeline("video", tmp_path).name == "quick"
    assert default_pipeline("image", tmp_path).name == "screenshot"
    by_file = find_pipeline(str(folder / "quick.yaml"))
    assert by_file.steps[1].params == {"proxy": False, "poster": False}
    with pytest.raises(PipelineError, match="no pipeline named 'nope'.*keynote"):
        find_pipeline("nope", tmp_path)
