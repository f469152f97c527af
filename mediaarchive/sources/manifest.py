"""Manifests: YAML, CSV or JSON, one asset per entry.

Known fields: url, event, title, speakers, date, language, description. Every other column
is kept as the asset's metadata. A bad entry is reported with its line number and the others
go on.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mediaarchive.dates import is_iso_date
from mediaarchive.errors import UserError

MANIFEST_SUFFIXES = (".yaml", ".yml", ".csv", ".json")
KNOWN_FIELDS = ("url", "event", "title", "speakers", "date", "language", "description")


@dataclass
class ManifestEntry:
    """One asset named by a manifest."""

    line: int
    url: str
    event: str | None = None
    title: str | None = None
    speakers: list[str] = field(default_factory=list)
    date: str | None = None
    language: str | None = None
    description: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ManifestProblem:
    """An entry that cannot be used, with where it is."""

    line: int
    message: str


def is_manifest_file(path: Path) -> bool:
    return path.suffix.lower() in MANIFEST_SUFFIXES


def read_manifest(path: Path) -> tuple[list[ManifestEntry], list[ManifestProblem]]:
    """Parse a manifest into its good entries and its problems (each with a line number).

    Raises:
        UserError: the file as a whole cannot be read (not YAML/CSV/JSON, no entries).
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UserError(f"{path}: cannot read the manifest: {exc.strerror}") from exc
    if path.suffix.lower() == ".csv":
        rows = _csv_rows(path, text)
    else:
        rows = _structured_rows(path, text)
    entries: list[ManifestEntry] = []
    problems: list[ManifestProblem] = []
    for line, row in rows:
        try:
            entries.append(_entry(line, row))
        except ValueError as exc:
            problems.append(ManifestProblem(line, f"{path.name} line {line}: {exc}"))
    return entries, problems


def _csv_rows(path: Path, text: str) -> list[tuple[int, Any]]:
    reader = csv.DictReader(io.StringIO(text), strict=True)
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        raise UserError(f"{path} line 1: the header row is not valid CSV: {exc}") from exc
    if not fieldnames or "url" not in [name.strip().lower() for name in fieldnames]:
        raise UserError(f"{path}: the CSV manifest needs a header row with a 'url' column")
    rows: list[tuple[int, Any]] = []
    line = 1
    try:
        for row in reader:
            start = line + 1
            line = reader.line_num
            if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
                continue
            if None in row:
                rows.append(
                    (
                        start,
                        ValueError("more values than columns; quote values that contain commas"),
                    )
                )
                continue
            rows.append(
                (
                    start,
                    {
                        (k or "").strip().lower(): (v.strip() if isinstance(v, str) else v)
                        for k, v in row.items()
                    },
                )
            )
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise UserError(
                f"{path} line {line + 1}: a quote opened in this entry is never closed (the "
                "rest of the file would become one value); close the quote or remove it"
            ) from exc
        raise UserError(f"{path} line {reader.line_num}: not valid CSV: {exc}") from exc
    return rows


def _structured_rows(path: Path, text: str) -> list[tuple[int, Any]]:
    """Entries of a YAML or JSON manifest with their line numbers (JSON is read as YAML)."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        try:  # JSON that PyYAML's YAML 1.1 rejects (tabs); lines are then entry numbers
            data = json.loads(text)
        except json.JSONDecodeError:
            mark = getattr(exc, "problem_mark", None)
            where = f" line {mark.line + 1}" if mark is not None else ""
            raise UserError(
                f"{path}{where}: not valid YAML/JSON: {getattr(exc, 'problem', exc)}"
            ) from exc
        items = data.get("assets", data) if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise UserError(
                f"{path}: a manifest is a list of entries (or 'assets: [...]')"
            ) from exc
        return [(index + 1, item) for index, item in enumerate(items)]
    if root is None:
        raise UserError(f"{path}: the manifest is empty")
    defaults: dict[str, Any] = {}
    node = root
    if isinstance(root, yaml.MappingNode):
        mapping = {key.value: value for key, value in root.value}
        if "assets" not in mapping:
            raise UserError(f"{path}: a manifest is a list of entries (or 'assets: [...]')")
        node = mapping["assets"]
        try:
            loaded = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise UserError(f"{path}: not valid YAML/JSON: {_yaml_problem(exc)}") from exc
        defaults = {str(k): v for k, v in loaded.items() if k != "assets"}
    if not isinstance(node, yaml.SequenceNode):
        raise UserError(f"{path}: a manifest is a list of entries (or 'assets: [...]')")
    loader_rows: list[tuple[int, Any]] = []
    for item in node.value:
        try:
            value = yaml.safe_load(yaml.serialize(item))
        except yaml.YAMLError as exc:
            value = ValueError(f"cannot read this entry: {_yaml_problem(exc)}")
        if isinstance(value, dict):
            value = {**defaults, **{str(k).lower(): v for k, v in value.items()}}
        elif isinstance(value, str):
            value = {**defaults, "url": value}
        loader_rows.append((item.start_mark.line + 1, value))
    return loader_rows


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """What PyYAML found wrong, in one line (without its excerpt of the text)."""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return str(problem)


def _entry(line: int, row: Any) -> ManifestEntry:
    if isinstance(row, ValueError):
        raise row
    if not isinstance(row, dict):
        raise ValueError(f"an entry must be a mapping with a url, not {type(row).__name__}")
    url = row.get("url")
    if not isinstance(url, str) or not url.strip():
        raise ValueError("the entry has no url; add one")
    speakers = row.get("speakers") or row.get("speaker") or []
    if isinstance(speakers, str):
        separator = ";" if ";" in speakers else ","
        speakers = [s.strip() for s in speakers.split(separator) if s.strip()]
    elif not isinstance(speakers, list) or not all(isinstance(s, str) for s in speakers):
        raise ValueError("speakers must be a list of names or a text like 'A; B'")
    row = {k: _json_safe(v) for k, v in row.items()}
    for name in ("event", "title", "date", "language", "description"):
        value = row.get(name)
        if value is not None and not isinstance(value, str | int | float):
            raise ValueError(f"{name} must be a text, not {type(value).__name__}")
    when = row.get("date")
    if when not in (None, "") and not is_iso_date(str(when)):
        raise ValueError(f"date {str(when)!r} is not a date: use YYYY-MM-DD (or YYYY-MM, YYYY)")
    extra = {
        k: v
        for k, v in row.items()
        if k not in KNOWN_FIELDS and k != "speaker" and v not in (None, "")
    }
    return ManifestEntry(
        line=line,
        url=url.strip(),
        event=_text(row.get("event")),
        title=_text(row.get("title")),
        speakers=list(speakers),
        date=_text(row.get("date")),
        language=_text(row.get("language")),
        description=_text(row.get("description")),
        extra=extra,
    )


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _json_safe(value: Any) -> Any:
    """YAML dates and times become ISO text (metadata is stored as JSON)."""
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    return value
