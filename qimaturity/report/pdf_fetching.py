"""The only way the PDF renderer reaches outside the HTML it is given.

WeasyPrint's default fetcher reads any ``file://`` path and any web address: a ``<link rel="attachment"
href="file:///etc/hostname">`` in an organisation's name would attach that file to the PDF. This fetcher allows
``data:`` URLs, files inside the bundled ``reports/`` folder, and the files the user named explicitly (a logo);
everything else — web addresses, other local files, redirects — is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher


class FetchRefused(ValueError):
    """A URL the report may not fetch. WeasyPrint logs it and leaves the resource out."""


class RestrictedFetcher(URLFetcher):  # type: ignore[misc]
    def __init__(self, *, allowed_dirs: tuple[Path, ...] = (), allowed_files: tuple[Path, ...] = ()):
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, timeout=5)
        self.allowed_dirs = tuple(p.resolve() for p in allowed_dirs)
        self.allowed_files = {p.resolve() for p in allowed_files}
        self.refused: list[str] = []

    def permitted(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme == "data":
            return True
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return False
        path = Path(unquote(parts.path)).resolve()
        if path in self.allowed_files:
            return True
        return path.is_file() and any(path.is_relative_to(folder) for folder in self.allowed_dirs)

    def fetch(self, url: str, headers: Any = None) -> Any:
        if not self.permitted(url):
            self.refused.append(url)
            raise FetchRefused(f"refused to fetch {url}: reports may only use bundled assets and files you named")
        return super().fetch(url, headers)
