"""Accessibility checks with axe-core in the test's own Chromium page (what
``../shared/tools/a11y-check`` does for served pages, without leaving the test).

axe-core comes from the npm registry once, into the checkout's cache.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
AXE_DIR = REPO / ".cache" / "axe"
AXE = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"


def axe_source() -> str:
    if not AXE.exists():
        npm = shutil.which("npm")
        assert npm, "npm is missing: it fetches axe-core for the accessibility tests"
        AXE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                npm,
                "install",
                "--silent",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(AXE_DIR),
                "axe-core@4",
            ],
            check=True,
            timeout=300,
        )
    return AXE.read_text()


def axe_violations(page: Any) -> list[str]:
    """The page's axe-core violations as 'rule (impact, n nodes): help' lines.

    The script is evaluated through the browser's debugging protocol, which the page's
    strict CSP does not govern, so the page is checked exactly as it is served.
    """
    page.evaluate(f"() => {{ {axe_source()}\n; window.axe = axe; }}")
    found = page.evaluate(
        "async () => (await window.axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {v['help']}" for v in found]
