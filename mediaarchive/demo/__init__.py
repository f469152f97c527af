"""The demo: a local S3 endpoint with the seed's assets, ingested and shown.

``STAGES`` runs in order. Each part of the archive appends its own stage (one line here,
the function in its own module of this package): processing, transcript, search, web…
"""

from mediaarchive.demo.base import DemoContext, Stage, run_demo, seed_page_path
from mediaarchive.demo.curate import curate
from mediaarchive.demo.endpoint import start_endpoint
from mediaarchive.demo.ingest_seed import ingest_seed
from mediaarchive.demo.process import process_ingested
from mediaarchive.demo.report import print_archive
from mediaarchive.demo.screenshot_text import search_screenshot_text
from mediaarchive.demo.search_keynote import search_keynote
from mediaarchive.demo.subtitles import show_subtitles
from mediaarchive.demo.transcript import print_transcript
from mediaarchive.demo.web import serve_web

STAGES: list[Stage] = [
    start_endpoint,
    ingest_seed,
    process_ingested,
    print_archive,
    print_transcript,
    curate,  # after the transcript: names, titles, corrections, approval
    search_screenshot_text,
    search_keynote,
    show_subtitles,  # after processing: subtitles of the keynote, the event as a BagIt bag
    serve_web,  # keep last: it serves the page until Ctrl-C
]

__all__ = ["STAGES", "DemoContext", "Stage", "run_demo", "seed_page_path"]
