"""What the site's log may say: never a respondent's link, which is a secret that opens their questionnaire.

Django logs every refused request with its path ("Not Found: /r/<link>/page/99/", a CSRF refusal on a saved page);
the link in such a path is replaced by an ellipsis before the line is written.
"""

from __future__ import annotations

import logging
import re

_LINK = re.compile(r"/r/[^/\s?#]+")


def without_links(text: str) -> str:
    """``text`` with every respondent's link in a path (``/r/<link>``) replaced by ``/r/…``."""
    return _LINK.sub("/r/…", text)


class HideLinks(logging.Filter):
    """A log filter that writes a record's message without respondents' links (it never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hidden = without_links(message)
        if hidden != message:
            record.msg, record.args = hidden, ()
        return True
