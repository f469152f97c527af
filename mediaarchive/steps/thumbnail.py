"""Step "thumbnail": a small JPEG or WebP of an image, within a bounded size."""

from __future__ import annotations

from mediaarchive.media.probe import probe_file
from mediaarchive.media.transcode import make_thumbnail
from mediaarchive.steps.base import StepContext, step

MIME = {"jpeg": "image/jpeg", "webp": "image/webp"}


@step(
    "thumbnail",
    kinds=("image",),
    params={"max_size": 480, "format": "jpeg", "quality": 80},
    description="A thumbnail of an image (JPEG or WebP) no larger than max_size pixels.",
)
def thumbnail(ctx: StepContext) -> None:
    image_format = str(ctx.params["format"]).lower()
    suffix = "jpg" if image_format == "jpeg" else image_format
    target = ctx.temp_path(f"thumbnail.{suffix}")
    with ctx.archive.store.materialize(ctx.asset.blob_key, check=True) as source:
        probe = ctx.asset.probe or probe_file(source, label=ctx.label)
        params = make_thumbnail(
            source,
            target,
            probe,
            label=ctx.label,
            threads=ctx.threads,
            max_size=int(ctx.params["max_size"]),
            image_format=image_format,
            quality=int(ctx.params["quality"]),
        )
    ctx.save_rendition(
        "thumbnail", target, mime=MIME.get(image_format, "image/jpeg"), params=params
    )
