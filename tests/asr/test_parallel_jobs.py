"""Two jobs that share the process's model decode at the same time, each on its core.

``--jobs auto`` runs one single-threaded job per core, and the job threads share one loaded
model. A model loaded with one CTranslate2 worker ran their calls one after the other: a
batch of 24 clips took 205 s with two jobs against 171 s with one (one core idle). The
model now has a worker per job that fits beside the others (``model_workers``).
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from mediaarchive.asr.transcriber import get_transcriber, model_workers
from mediaarchive.config import Settings, cpu_count


@pytest.mark.skipif(cpu_count() < 2, reason="one core: jobs cannot run side by side")
def test_two_single_threaded_jobs_run_the_model_side_by_side() -> None:
    transcriber = get_transcriber(Settings.load(), threads=1)
    whisper = transcriber.whisper
    assert model_workers(1, 2) == 2 and model_workers(2, 2) == 1 and model_workers(1, 1) == 1
    assert whisper.model.num_workers == cpu_count()
    noise = np.random.default_rng(7).normal(0, 0.05, 30 * 16000).astype(np.float32)
    features = whisper.feature_extractor(noise)[:, :3000]

    def job() -> None:
        for _ in range(2):
            whisper.encode(features)

    # Sample how many calls the model runs at once (queued read first: a call that is
    # only waiting for a worker is never counted as running).
    both_running = 0
    threads = [threading.Thread(target=job) for _ in range(2)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        queued = whisper.model.num_queued_batches
        running = whisper.model.num_active_batches - queued
        both_running += running == 2
        time.sleep(0.005)
    for thread in threads:
        thread.join()
    assert both_running >= 20, f"the two jobs' calls ran one at a time ({both_running} samples)"
