"""The numpy voice encoder gives Resemblyzer's own embeddings, from weights installed offline
out of its wheel; altered or hostile weight files are refused."""

from __future__ import annotations

import csv
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from mediaarchive.asr.transcriber import load_audio
from mediaarchive.asr.voice import VoiceEncoder, load_torch_state, normalize_volume, speech_only
from mediaarchive.asr.voice_weights import (
    VOICE_ENCODER_SHA256,
    install_voice_encoder,
    resolve_voice_encoder,
)
from mediaarchive.config import Settings
from mediaarchive.errors import ModelError
from tests.helpers import run_cli

REPO = Path(__file__).resolve().parents[2]
DE_SPEECH = REPO.parent / "shared" / "eval" / "de_speech"
REFERENCE = Path(__file__).parent / "data" / "voice_reference.npz"


@pytest.fixture(scope="module")
def weights() -> Path:
    """The installed encoder weights (``make setup`` installs them; else once from PyPI)."""
    settings = Settings.load()
    try:
        return resolve_voice_encoder(settings).path
    except ModelError:
        return install_voice_encoder(settings).path


@pytest.fixture(scope="module")
def encoder(weights: Path) -> VoiceEncoder:
    return VoiceEncoder(weights)


@pytest.fixture(scope="module")
def reference_clips() -> list[tuple[str, np.ndarray]]:
    if not (DE_SPEECH / "manifest.tsv").is_file():
        pytest.skip(f"the dev set {DE_SPEECH} is not beside the checkout")
    rows = csv.DictReader(open(DE_SPEECH / "manifest.tsv", encoding="utf-8"), delimiter="\t")
    files = {row["id"]: row["file"] for row in rows}
    ids = np.load(REFERENCE)["ids"]
    return [(str(clip), load_audio(DE_SPEECH / files[str(clip)])) for clip in ids]


@pytest.fixture(scope="module")
def port_embeddings(
    encoder: VoiceEncoder, reference_clips: list[tuple[str, np.ndarray]]
) -> dict[str, np.ndarray]:
    """The port's embedding of each reference clip (volume normalised, as the reference)."""
    vectors = encoder.embed_utterances([normalize_volume(wav) for _, wav in reference_clips])
    return {clip: vector for (clip, _), vector in zip(reference_clips, vectors, strict=True)}


def test_port_gives_the_original_packages_embeddings(
    port_embeddings: dict[str, np.ndarray],
) -> None:
    reference = np.load(REFERENCE)["plain"]
    cosines = {
        clip: float(vector @ reference[i])
        for i, (clip, vector) in enumerate(port_embeddings.items())
    }
    assert len(cosines) == 20
    assert min(cosines.values()) >= 0.999, cosines


def test_silero_trimming_stands_in_for_webrtcvad(
    encoder: VoiceEncoder, reference_clips: list[tuple[str, np.ndarray]]
) -> None:
    """Resemblyzer trims pauses with webrtcvad; the Silero VAD gives near-equal embeddings."""
    reference = np.load(REFERENCE)["preprocessed"]
    vectors = encoder.embed_utterances(
        [normalize_volume(speech_only(wav)) for _, wav in reference_clips]
    )
    cosines = np.sum(vectors * reference, axis=1)
    assert min(cosines) >= 0.9
    assert np.mean(cosines) >= 0.97


def test_same_voice_is_closer_than_any_other(port_embeddings: dict[str, np.ndarray]) -> None:
    embeddings = port_embeddings
    same = float(embeddings["voxforge_1337ad_de11-034"] @ embeddings["voxforge_1337ad_de11-035"])
    others = [
        float(embeddings["voxforge_1337ad_de11-034"] @ vector)
        for clip, vector in embeddings.items()
        if not clip.startswith("voxforge")
    ]
    assert same > max(others) + 0.2


def test_embeddings_are_unit_vectors_for_short_and_silent_audio(encoder: VoiceEncoder) -> None:
    single = encoder.embed_utterance(np.zeros(800, np.float32))
    assert single.shape == (256,) and np.all(np.isfinite(single))
    for wav in (np.zeros(800, np.float32), np.zeros(16000 * 3, np.float32)):
        embedding = encoder.embed_utterances([wav])[0]
        assert embedding.shape == (256,)
        assert np.all(np.isfinite(embedding))


def _wheel(path: Path, weights: bytes) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("resemblyzer/pretrained.pt", weights)
        archive.writestr("Resemblyzer-0.1.4.dist-info/LICENSE", "Apache License 2.0")
    return path


def test_models_install_takes_the_weights_out_of_a_wheel_file(
    weights: Path, tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "models"
    monkeypatch.setenv("MEDIAARCHIVE_MODELS", str(cache))
    settings = Settings.load()
    with pytest.raises(ModelError, match="models install resemblyzer"):
        resolve_voice_encoder(settings)

    wheel = _wheel(tmp_path / "Resemblyzer-0.1.4-py3-none-any.whl", weights.read_bytes())
    result = run_cli("--home", str(home), "models", "install", str(wheel))
    assert result.exit_code == 0, result.stderr
    assert VOICE_ENCODER_SHA256 in result.stdout
    resolved = resolve_voice_encoder(settings)
    assert resolved.path == cache / "resemblyzer-0.1.4" / "pretrained.pt"
    assert (resolved.path.parent / "LICENSE").is_file()
    assert not [p for p in cache.iterdir() if p.name.startswith(".resemblyzer")]

    resolved.path.write_bytes(b"damaged")
    with pytest.raises(ModelError, match="corrupt.*--force"):
        resolve_voice_encoder(settings)


def test_altered_weights_are_refused_and_nothing_is_installed(
    weights: Path, tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "models"
    monkeypatch.setenv("MEDIAARCHIVE_MODELS", str(cache))
    altered = bytearray(weights.read_bytes())
    altered[-1] ^= 0xFF
    wheel = _wheel(tmp_path / "Resemblyzer-0.1.4-py3-none-any.whl", bytes(altered))
    result = run_cli("--home", str(home), "models", "install", str(wheel))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error:") and "sha256" in result.stderr
    assert not (cache / "resemblyzer-0.1.4").exists()


class _Boom:
    def __reduce__(self):  # noqa: ANN204
        return (Path.touch, (Path("/tmp/voice-weights-pwned"),))


def test_weights_file_cannot_run_code(tmp_path: Path) -> None:
    hostile = tmp_path / "pretrained.pt"
    with open(hostile, "wb") as handle:
        for part in (0x1950A86A20F9469CFC6C, 1001, {"little_endian": True}, _Boom()):
            pickle.dump(part, handle, protocol=2)
    Path("/tmp/voice-weights-pwned").unlink(missing_ok=True)
    with pytest.raises(ModelError, match="refusing to load"):
        load_torch_state(hostile)
    assert not Path("/tmp/voice-weights-pwned").exists()
