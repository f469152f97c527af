"""Progress: bars on a terminal, plain lines in logs, never on stdout."""

from __future__ import annotations

import io

from rich.console import Console

from mediaarchive.pipeline.progress import PlainReporter, RichReporter, make_reporter


def test_plain_lines_for_logs() -> None:
    stream = io.StringIO()
    reporter = PlainReporter(stream)
    reporter.step_started(1, "1a2b3c4d5e6f", "transcode")
    for second in range(0, 101, 10):
        reporter.step_progress(1, second, 100, "s")
    reporter.step_finished(1, "1a2b3c4d5e6f", "transcode", "done", 12.3, None)
    reporter.step_finished(2, "abcdefabcdef", "probe", "failed", 0.2, "cannot probe [x]")
    lines = stream.getvalue().splitlines()
    assert lines == [
        "1a2b3c4d5e6f transcode: started",
        "1a2b3c4d5e6f transcode: 25%",
        "1a2b3c4d5e6f transcode: 50%",
        "1a2b3c4d5e6f transcode: 75%",
        "1a2b3c4d5e6f transcode: done in 12.3s",
        "abcdefabcdef probe: failed in 0.2s: cannot probe [x]",
    ]


def test_bars_on_a_terminal() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    reporter = RichReporter(console)
    reporter.step_started(1, "1a2b3c4d5e6f", "transcode")
    reporter.step_progress(1, 50, 100, "s")
    reporter.progress.refresh()
    reporter.step_finished(1, "1a2b3c4d5e6f", "transcode", "failed", 1.0, "ffmpeg [error]")
    reporter.close()
    text = out.getvalue()
    assert "1a2b3c4d5e6f transcode" in text and "50%" in text
    assert "failed in 1.0s: ffmpeg [error]" in text  # markup in messages is shown as is


def test_plain_reporter_when_not_a_terminal() -> None:
    assert isinstance(make_reporter(io.StringIO()), PlainReporter)
