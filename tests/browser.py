"""What the browser tests share: Debian's Chromium and how it is started, axe-core and the rules it checks."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
# Headless as root on a closed network: no sandbox (root), no GPU, and none of Chromium's background connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# What axe checks: the WCAG 2.0, 2.1 and 2.2 A and AA rules, and its best practices (landmarks, one main, headings).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def missing_for_axe() -> list[str]:
    """What the axe tests need and this machine lacks: Chromium, axe-core (npm ci), the playwright package."""
    missing = [str(path) for path in (CHROMIUM, AXE) if not path.exists()]
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the Python package playwright")
    return missing
