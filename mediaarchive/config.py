"""Settings, each declared once with its default and help text.

Precedence: explicit values (CLI options) > ``MEDIAARCHIVE_*`` environment variables >
a TOML config file (``MEDIAARCHIVE_CONFIG`` or ``HOME/mediaarchive.toml``) > defaults.
``--db`` and ``--store`` override what ``--home`` implies.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs

from mediaarchive.errors import ConfigError


def _setting(default: Any, help: str, env: str | None = None) -> Any:
    return field(default=default, metadata={"help": help, "env": env})


def cpu_count() -> int:
    """Cores this process may use (respects CPU affinity / container limits)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


@dataclass
class Settings:
    """Every setting of mediaarchive. ``None`` means "derive from home" or "auto"."""

    home: Path = _setting(None, "Archive home: holds the database and the local store.")
    db: str | None = _setting(None, "Database URL (default: sqlite file in the home).")
    store: str | None = _setting(None, "Archive store: a folder or s3://bucket/prefix.")
    store_endpoint_url: str | None = _setting(
        None, "S3 endpoint for an s3:// store (else AWS_ENDPOINT_URL_S3)."
    )
    broker: str | None = _setting(None, "Celery broker URL (redis://…); none = in-process.")
    models: Path | None = _setting(None, "Speech model cache, shared by all archives.")
    model: str = _setting("base", "Default Whisper model: a name or a CTranslate2 folder.")
    compute_type: str = _setting("auto", "CTranslate2 compute type (auto picks by CPU).")
    language: str = _setting(
        "auto",
        "Spoken language when an asset has none in its metadata: a code (de) forces it; "
        "'auto' detects it over several windows of the recording.",
    )
    language_prior: str = _setting(
        "de", "Language kept when detection is unsure (the evidence is weaker than below)."
    )
    language_min_probability: float = _setting(
        0.9, "Mean detection probability another language needs to win over the prior."
    )
    low_confidence_threshold: float = _setting(
        0.8,
        "Word probability below which a word counts as low confidence (the transcript "
        "stores the share of such words, 'review' lists it; words placed by an edit are left "
        "out). Measured with benchmarks/confidence.py: "
        "the best F1 of 'low' as a predictor of a wrong word on the real-speech clips.",
    )
    asr_batch_size: int = _setting(
        8, "Speech chunks decoded together (batched pipeline); 0 decodes sequentially."
    )
    asr_beam_size: int = _setting(5, "Beam size of the speech decoder.")
    asr_window: float = _setting(
        60.0,
        "Longest stretch of audio (seconds) decoded at once; segments are stored "
        "after each, so it bounds memory and the work a killed run loses "
        "(benchmarks/pipeline.py: a 61-minute talk peaked at 1,030 MB RSS with 300 s, "
        "524 MB with 60 s).",
    )
    jobs: int = _setting(1, "Assets processed side by side.")
    threads: int | None = _setting(None, "CPU threads in all (default: the cores).")
    ocr_languages: str = _setting(
        "deu+eng", "Tesseract languages for screenshots and slides (installed models)."
    )
    subtitle_preset: str = _setting("default", "Subtitle preset: default or de-broadcast.")
    fetch_retries: int = _setting(4, "Attempts for a transient fetch failure.")
    fetch_timeout: float = _setting(30.0, "Seconds without data before a fetch times out.")
    fetch_backoff: float = _setting(
        0.5, "First wait (seconds) before retrying a fetch; doubles with each attempt."
    )
    fetch_jobs: int = _setting(4, "Downloads side by side (to different hosts; 2 per host).")
    max_asset_gb: float = _setting(
        50.0,
        "Largest asset accepted (GB); a larger download is refused, before it starts "
        "when the source announces its size.",
    )
    disk_reserve_gb: float = _setting(
        1.0, "Free space (GB) a download or transcode must leave on the store's disk."
    )
    step_retries: int = _setting(3, "Attempts for a transient step failure.")
    step_retry_delay: float = _setting(
        2.0, "Seconds before the 2nd attempt of a transient step failure (doubles each time)."
    )
    web_language: str = _setting("de", "Language of the web page (de or en).")
    allowed_hosts: str = _setting(
        "",
        "Host names the web page answers to, besides the address it listens on, localhost, "
        "127.0.0.1 and [::1] (comma-separated; '*' = any). Guards against DNS rebinding.",
    )
    trusted_proxies: str = _setting(
        "",
        "Addresses of reverse proxies whose X-Forwarded-For/-Proto headers the web page "
        "believes (comma-separated; '*' = any); none by default.",
    )
    default_visibility: str = _setting(
        "internal", "Visibility of newly ingested assets and events: internal or public."
    )
    session_idle_hours: float = _setting(12.0, "Hours a web log-in stays valid without being used.")
    session_max_days: float = _setting(7.0, "Days a web log-in stays valid at most.")
    worker_visibility_timeout: int = _setting(
        3600, "Seconds before a task held by a vanished worker goes to another (Redis broker)."
    )
    worker_poll_seconds: float = _setting(
        15.0, "Seconds a redelivered task waits while another live worker runs its job."
    )

    def __post_init__(self) -> None:
        if self.home is None:
            self.home = Path(platformdirs.user_data_dir("mediaarchive"))
        self.home = Path(self.home).expanduser()
        if self.models is None:
            self.models = Path(platformdirs.user_cache_dir("mediaarchive")) / "models"
        self.models = Path(self.models).expanduser()

    @property
    def db_url(self) -> str:
        return self.db or f"sqlite:///{(self.home / 'archive.db').resolve()}"

    @property
    def store_uri(self) -> str:
        return self.store or str((self.home / "store").resolve())

    @property
    def s3_endpoint_url(self) -> str | None:
        return (
            self.store_endpoint_url
            or os.environ.get("AWS_ENDPOINT_URL_S3")
            or os.environ.get("AWS_ENDPOINT_URL")
        )

    @property
    def allowed_host_names(self) -> list[str]:
        return _names(self.allowed_hosts)

    @property
    def trusted_proxy_addresses(self) -> list[str]:
        return _names(self.trusted_proxies)

    @property
    def total_threads(self) -> int:
        return self.threads or cpu_count()

    @classmethod
    def load(cls, **overrides: Any) -> Settings:
        """Build settings from overrides, the environment, a config file and defaults."""
        values: dict[str, Any] = {}
        env_home = overrides.get("home") or os.environ.get("MEDIAARCHIVE_HOME")
        config_path = os.environ.get("MEDIAARCHIVE_CONFIG")
        if config_path is None and env_home:
            candidate = Path(env_home).expanduser() / "mediaarchive.toml"
            config_path = str(candidate) if candidate.exists() else None
        if config_path:
            values.update(_read_config_file(Path(config_path)))
        known = {f.name: f for f in fields(cls)}
        for name, f in known.items():
            env = f.metadata.get("env") or f"MEDIAARCHIVE_{name.upper()}"
            if env in os.environ and os.environ[env] != "":
                values[name] = os.environ[env]
        for name, value in overrides.items():
            if value is not None:
                values[name] = value
        unknown = set(values) - set(known)
        if unknown:
            raise ConfigError(f"unknown setting(s) {', '.join(sorted(unknown))}")
        return cls(**{k: _coerce(known[k], v) for k, v in values.items()})


def _names(value: str | list[str] | None) -> list[str]:
    """A list setting given as "a, b c" (environment) or as a TOML list."""
    if not value:
        return []
    items = value if isinstance(value, list) else value.replace(",", " ").split()
    return [str(item).strip() for item in items if str(item).strip()]


def _coerce(f: Any, value: Any) -> Any:
    kind = str(f.type)
    try:
        if "int" in kind and "Path" not in kind and not isinstance(value, int):
            return int(value)
        if "float" in kind and not isinstance(value, float):
            return float(value)
    except ValueError as exc:
        raise ConfigError(f"setting {f.name}: {value!r} is not a number") from exc
    return value


def _read_config_file(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"config file {path} does not exist") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    section = data.get("mediaarchive", data)
    return {k.replace("-", "_"): v for k, v in section.items()}


def describe_settings() -> list[tuple[str, str, str]]:
    """(name, environment variable, help) for every setting, for the README and --help."""
    return [
        (f.name, f.metadata.get("env") or f"MEDIAARCHIVE_{f.name.upper()}", f.metadata["help"])
        for f in fields(Settings)
    ]
