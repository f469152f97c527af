"""The JSON API's documents as pydantic models: they make the OpenAPI schema.

They follow the CLI contract's JSON (design.md); other parts may add keys, so the models
let extra keys through. A search hit is declared once, as ``SearchHit`` in the library; its
model here is derived from that dataclass.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from mediaarchive.services import search


class Document(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorDocument(BaseModel):
    """What went wrong, in one line that says what to do."""

    detail: Any


def document_of(record: type) -> type[Document]:
    """A ``Document`` model with the fields, types and defaults of a dataclass."""
    hints = typing.get_type_hints(record)
    fields: dict[str, Any] = {
        item.name: (hints[item.name], ... if item.default is dataclasses.MISSING else item.default)
        for item in dataclasses.fields(record)
    }
    return create_model(record.__name__, __base__=Document, __doc__=record.__doc__, **fields)


SearchHit = document_of(search.SearchHit)


class StepState(Document):
    name: str
    state: str
    attempts: int
    error: str | None
    seconds: float | None
    worker: str | None


class AssetSummary(Document):
    id: str
    sha256: str
    kind: str
    title: str | None
    event: str | None
    events: list[str]
    state: str
    #: The original or a rendition is missing or corrupt ('mediaarchive repair').
    damaged: bool = False
    steps: list[StepState]
    visibility: str = "internal"


class RenditionInfo(Document):
    kind: str
    path: str | None
    uri: str | None
    mime: str | None
    size: int | None
    params: dict[str, Any] | None
    url: str | None = None
    damaged: str | None = None


class WordTiming(Document):
    start: float
    end: float
    word: str
    probability: float | None


class TranscriptSegment(Document):
    id: int | None = Field(
        None, description="This version of the line (send it back when correcting the line)."
    )
    start: float
    end: float
    text: str
    confidence: float | None
    words: list[WordTiming]


class TranscriptDocument(Document):
    id: int
    model: str
    language: str | None
    provenance: dict[str, Any] | None
    segments: list[TranscriptSegment]


class TranscriptVersion(Document):
    id: int
    model: str
    created: Any
    current: bool


class OcrWord(Document):
    text: str
    left: float | None = None
    top: float | None = None
    width: float | None = None
    height: float | None = None
    confidence: float | None = None


class OcrDocument(Document):
    text: str
    start: float | None
    end: float | None
    source: str
    confidence: float | None
    words: list[OcrWord]


class BlobLocation(Document):
    path: str | None
    uri: str | None
    url: str | None = None


class AssetDetail(Document):
    id: str
    sha256: str
    kind: str
    size: int
    mime: str | None
    title: str | None
    event: str | None
    events: list[str]
    speakers: list[str]
    source_urls: list[str]
    probe: dict[str, Any] | None
    renditions: list[RenditionInfo]
    transcript: TranscriptDocument | None
    transcripts: list[TranscriptVersion]
    ocr: list[OcrDocument]
    original: BlobLocation | None = None
    url: str


class EventInfo(BaseModel):
    """An event with its number of assets (the API lists just these fields)."""

    model_config = ConfigDict(extra="ignore")

    id: int
    name: str
    date: str | None
    assets: int


class EventDetail(Document):
    id: int
    name: str
    date: str | None
    description: str | None
    assets: list[AssetSummary]
