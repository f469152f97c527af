"""Step "transcode": speech audio for the transcriber, a web proxy and a poster frame.

What is made follows the probe: a video without audio gets no speech audio, an audio file
gets no poster. Each finished rendition is committed at once, so an interrupted transcode
that is run again only makes the renditions still missing (or made with other parameters).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mediaarchive import profiling
from mediaarchive.errors import TranscodeError
from mediaarchive.media.probe import audio_stream, probe_file, video_stream
from mediaarchive.media.transcode import (
    ProxyOptions,
    extract_speech_audio,
    make_poster,
    make_proxy,
    make_speech_and_proxy,
)
from mediaarchive.steps.base import SkipStep, StepContext, step

PARAMS: dict[str, Any] = {
    "speech_audio": True,
    "loudnorm": False,
    "proxy": True,
    "proxy_max_width": 1280,
    "proxy_max_height": 720,
    "proxy_crf": 23,
    "proxy_preset": "veryfast",
    "proxy_audio_bitrate": "128k",
    "poster": True,
}

#: Relative cost of each rendition, to weigh the progress bar.
_WEIGHT = {"speech_audio": 0.05, "proxy": 1.0, "poster": 0.0}


@step(
    "transcode",
    kinds=("video", "audio"),
    params=PARAMS,
    description="Speech audio (16 kHz mono WAV), a web proxy (H.264/AAC MP4, <=720p) "
    "and a poster frame.",
)
def transcode(ctx: StepContext) -> None:
    params = ctx.params
    with ctx.archive.store.materialize(ctx.asset.blob_key, check=True) as source:
        probe = ctx.asset.probe
        if probe is None:
            probe = ctx.asset.probe = probe_file(source, label=ctx.label)
        has_audio = audio_stream(probe) is not None
        has_picture = video_stream(probe) is not None and not probe.get("still")
        recipes = _recipes(params, has_audio=has_audio, has_picture=has_picture)
        if not recipes:
            raise SkipStep(
                "nothing to transcode: "
                + (
                    "no audio or video stream"
                    if not (has_audio or has_picture)
                    else "every rendition is turned off"
                )
            )
        _check_free_space(ctx, source)
        duration = probe.get("duration") or 0.0
        total = sum(_WEIGHT[kind] for kind, _ in recipes) * duration or 1.0
        done = 0.0
        made: list[str] = []
        for batch in _batches(ctx, recipes, has_picture=has_picture):
            weight = sum(_WEIGHT[kind] for kind, _ in batch)
            existing = [ctx.rendition(kind) for kind, _ in batch]
            if all(
                rendition is not None and _matches(rendition.params, recipe, ctx.asset.sha256)
                for rendition, (_, recipe) in zip(existing, batch, strict=True)
            ):
                made.extend(kind for kind, _ in batch)  # made before an interruption
            else:
                offset = done

                def report(
                    d: float, _t: float, _u: str, offset: float = offset, weight: float = weight
                ) -> None:
                    ctx.progress(offset + d * weight, total, "s")

                kinds = " + ".join(kind for kind, _ in batch)
                with profiling.phase(f"ffmpeg {kinds}"):
                    if len(batch) == 1:
                        _make(ctx, *batch[0], source, probe, report)
                    else:
                        _make_speech_and_proxy(ctx, batch, source, probe, report)
                made.extend(kind for kind, _ in batch)
                ctx.checkpoint(transcoded=made)
            done += weight * duration
            ctx.progress(done, total, "s")


def _batches(
    ctx: StepContext, recipes: list[tuple[str, dict[str, Any]]], *, has_picture: bool
) -> list[list[tuple[str, dict[str, Any]]]]:
    """The renditions to make, one ffmpeg run each, so that each is kept as soon as it is
    made (a video's proxy can take minutes: a run interrupted then keeps the speech audio).

    An audio file's speech audio and proxy are made in one run instead, when neither was
    made before: both take a fraction of a second per minute, and one ffmpeg that reads
    the source once saves 0.07 s of a 2-minute talk's 0.41 s."""
    kinds = [kind for kind, _ in recipes]
    if (
        not has_picture
        and kinds[:2] == ["speech_audio", "proxy"]
        and not any(ctx.rendition(kind) for kind in kinds[:2])
    ):
        return [recipes[:2], *([recipe] for recipe in recipes[2:])]
    return [[recipe] for recipe in recipes]


def _check_free_space(ctx: StepContext, source: Path) -> None:
    """Refuse to start when the renditions (at most about the original's size) would leave
    less free space than the reserve (setting ``disk_reserve_gb``) on the working disk."""
    reserve = int(ctx.archive.settings.disk_reserve_gb * 1e9)
    folder = ctx.temp_path("proxy.mp4").parent
    free = shutil.disk_usage(folder).free
    needed = source.stat().st_size + reserve
    if free < needed:
        raise TranscodeError(
            f"not enough free space to transcode: {free / 1e9:.1f} GB free, about "
            f"{source.stat().st_size / 1e9:.1f} GB needed and {reserve / 1e9:.1f} GB kept in "
            "reserve (setting disk_reserve_gb); free some space and run 'mediaarchive retry'"
        )


def _recipes(
    params: dict[str, Any], *, has_audio: bool, has_picture: bool
) -> list[tuple[str, dict[str, Any]]]:
    recipes: list[tuple[str, dict[str, Any]]] = []
    if params["speech_audio"] and has_audio:
        recipes.append(("speech_audio", {"loudnorm": bool(params["loudnorm"])}))
    if params["proxy"] and (has_audio or has_picture):
        recipes.append(
            (
                "proxy",
                {
                    "max_width": int(params["proxy_max_width"]),
                    "max_height": int(params["proxy_max_height"]),
                    "crf": int(params["proxy_crf"]),
                    "preset": str(params["proxy_preset"]),
                    "audio_bitrate": str(params["proxy_audio_bitrate"]),
                },
            )
        )
    if params["poster"] and has_picture:
        recipes.append(("poster", {"max_width": 1280, "max_height": 720}))
    return recipes


def _matches(saved: dict[str, Any] | None, recipe: dict[str, Any], sha256: str) -> bool:
    return bool(saved) and saved.get("recipe") == recipe and saved.get("source") == sha256


def _make(
    ctx: StepContext,
    kind: str,
    recipe: dict[str, Any],
    source: Path,
    probe: dict[str, Any],
    report: Callable[[float, float, str], None],
) -> None:
    if kind == "speech_audio":
        target = ctx.temp_path("speech.wav")
        params = extract_speech_audio(
            source,
            target,
            probe,
            label=ctx.label,
            threads=ctx.threads,
            loudnorm=recipe["loudnorm"],
            progress=report,
        )
        mime = "audio/wav"
    elif kind == "proxy":
        target = ctx.temp_path("proxy.mp4")
        params = make_proxy(
            source,
            target,
            probe,
            label=ctx.label,
            threads=ctx.threads,
            options=ProxyOptions(**recipe),
            progress=report,
        )
        mime = _proxy_mime(probe)
    else:
        target = ctx.temp_path("poster.jpg")
        params = make_poster(source, target, probe, label=ctx.label, threads=ctx.threads, **recipe)
        mime = "image/jpeg"
    _save(ctx, kind, recipe, target, mime, params)


def _make_speech_and_proxy(
    ctx: StepContext,
    batch: list[tuple[str, dict[str, Any]]],
    source: Path,
    probe: dict[str, Any],
    report: Callable[[float, float, str], None],
) -> None:
    (_, speech_recipe), (_, proxy_recipe) = batch
    targets = (ctx.temp_path("speech.wav"), ctx.temp_path("proxy.mp4"))
    speech, proxy = make_speech_and_proxy(
        source,
        targets,
        probe,
        label=ctx.label,
        threads=ctx.threads,
        loudnorm=speech_recipe["loudnorm"],
        options=ProxyOptions(**proxy_recipe),
        progress=report,
    )
    _save(ctx, "speech_audio", speech_recipe, targets[0], "audio/wav", speech)
    _save(ctx, "proxy", proxy_recipe, targets[1], _proxy_mime(probe), proxy)


def _proxy_mime(probe: dict[str, Any]) -> str:
    return "video/mp4" if video_stream(probe) is not None else "audio/mp4"


def _save(
    ctx: StepContext,
    kind: str,
    recipe: dict[str, Any],
    target: Path,
    mime: str,
    params: dict[str, Any],
) -> None:
    ctx.save_rendition(
        kind, target, mime=mime, params={**params, "recipe": recipe, "source": ctx.asset.sha256}
    )
