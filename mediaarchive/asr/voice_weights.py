"""The voice encoder's weights: installed once from the Resemblyzer wheel, verified by sha256.

Resemblyzer's PyPI wheel carries ``pretrained.pt`` (17 MB), but installing the package would
pull in torch (GBs) and webrtcvad (a compiler); so the project never installs it. Instead,
``mediaarchive models install resemblyzer`` (run by ``make setup``) asks pip for the wheel
alone (``pip download resemblyzer==0.1.4 --no-deps``: the same registry the project's other
packages come from, while online, at install time), takes ``pretrained.pt`` and the licence
out of it, checks the pinned sha256 and keeps them in the model cache. A machine without
network gets the wheel file copied over: ``mediaarchive models install
./Resemblyzer-0.1.4-py3-none-any.whl``. At run time nothing is downloaded: a missing or
altered file is a ``ModelError`` saying which command repairs it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from mediaarchive.asr.models import ResolvedModel, _install_lock, sha256_file, swap_into_place
from mediaarchive.config import Settings
from mediaarchive.errors import ModelError

__all__ = [
    "VOICE_ENCODER",
    "VOICE_ENCODER_SHA256",
    "install_voice_encoder",
    "is_voice_encoder_wheel",
    "resolve_voice_encoder",
]

VOICE_ENCODER = "resemblyzer"
VOICE_ENCODER_VERSION = "0.1.4"
#: sha256 of ``resemblyzer/pretrained.pt`` in Resemblyzer 0.1.4's wheel.
VOICE_ENCODER_SHA256 = "39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e"
_MEMBER = "resemblyzer/pretrained.pt"
_LICENSE = f"Resemblyzer-{VOICE_ENCODER_VERSION}.dist-info/LICENSE"
_REPAIR = f"run 'mediaarchive models install {VOICE_ENCODER} --force'"


def voice_encoder_dir(settings: Settings) -> Path:
    """Where the encoder's weights are kept in the model cache."""
    assert settings.models is not None
    return settings.models / f"{VOICE_ENCODER}-{VOICE_ENCODER_VERSION}"


def is_voice_encoder_wheel(name: str) -> bool:
    """Whether a model name given to ``models install`` is a Resemblyzer wheel file."""
    path = Path(name).expanduser()
    return path.name.lower().startswith("resemblyzer-") and path.suffix == ".whl"


def resolve_voice_encoder(settings: Settings) -> ResolvedModel:
    """The installed, verified ``pretrained.pt``; never downloads.

    Raises:
        ModelError: not installed, or its checksum is wrong.
    """
    path = voice_encoder_dir(settings) / "pretrained.pt"
    if not path.is_file():
        raise ModelError(
            f"the voice encoder is not installed in {path.parent}: run "
            f"'mediaarchive models install {VOICE_ENCODER}' once while online (or give it the "
            f"wheel file Resemblyzer-{VOICE_ENCODER_VERSION}-py3-none-any.whl)"
        )
    actual = sha256_file(path)
    if actual != VOICE_ENCODER_SHA256:
        raise ModelError(
            f"the voice encoder {path} is corrupt (sha256 {actual[:12]}…, expected "
            f"{VOICE_ENCODER_SHA256[:12]}…): {_REPAIR}"
        )
    return ResolvedModel(VOICE_ENCODER, path, actual, "wheel")


def _download_wheel(folder: Path) -> Path:
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--no-deps",
        "--only-binary=:all:",
        "--dest",
        str(folder),
        f"resemblyzer=={VOICE_ENCODER_VERSION}",
    ]
    try:
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        raise ModelError(
            f"cannot download the Resemblyzer {VOICE_ENCODER_VERSION} wheel with pip "
            f"({detail.strip().splitlines()[-1] if detail.strip() else exc}): go online, or copy "
            f"the wheel here and run 'mediaarchive models install PATH/TO/WHEEL'"
        ) from exc
    wheels = sorted(folder.glob("*.whl"))
    if not wheels:
        raise ModelError(f"pip downloaded no Resemblyzer wheel into {folder}")
    return wheels[0]


def install_voice_encoder(
    settings: Settings, wheel: Path | None = None, *, force: bool = False
) -> ResolvedModel:
    """Take ``pretrained.pt`` out of the Resemblyzer wheel (downloaded by pip when not given),
    verify its sha256 and keep it in the model cache, atomically.

    Raises:
        ModelError: the wheel cannot be had, is not Resemblyzer's, or its weights are altered.
    """
    target = voice_encoder_dir(settings)
    with _install_lock(settings):
        if not force and (target / "pretrained.pt").is_file():
            return resolve_voice_encoder(settings)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".resemblyzer-", dir=target.parent))
        try:
            source = Path(wheel).expanduser() if wheel else _download_wheel(staging)
            try:
                with zipfile.ZipFile(source) as archive:
                    with (
                        archive.open(_MEMBER) as member,
                        open(staging / "pretrained.pt", "wb") as out,
                    ):
                        shutil.copyfileobj(member, out)
                    if _LICENSE in archive.namelist():
                        (staging / "LICENSE").write_bytes(archive.read(_LICENSE))
            except (OSError, zipfile.BadZipFile, KeyError) as exc:
                raise ModelError(
                    f"{source} is not the Resemblyzer {VOICE_ENCODER_VERSION} wheel "
                    f"(no {_MEMBER} in it: {exc})"
                ) from exc
            actual = sha256_file(staging / "pretrained.pt")
            if actual != VOICE_ENCODER_SHA256:
                raise ModelError(
                    f"the voice encoder weights in {source} have sha256 {actual[:12]}…, expected "
                    f"{VOICE_ENCODER_SHA256[:12]}… (Resemblyzer {VOICE_ENCODER_VERSION}): "
                    "use that wheel as published on PyPI"
                )
            for extra in staging.glob("*.whl"):
                extra.unlink()
            swap_into_place(staging, target)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
    return ResolvedModel(VOICE_ENCODER, target / "pretrained.pt", VOICE_ENCODER_SHA256, "wheel")
