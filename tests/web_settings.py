"""The web tests' settings: the application's own (qimaturity.web.settings), with a throwaway data folder and key.

pytest-django loads this module (pyproject's DJANGO_SETTINGS_MODULE); nothing else differs from what `serve` runs.
"""

import os
import tempfile

os.environ.setdefault("QIMATURITY_SECRET_KEY", "tests-only-" + "k" * 50)
os.environ.setdefault("QIMATURITY_DATA", tempfile.mkdtemp(prefix="qimaturity-web-tests-"))

from qimaturity.web.settings import *  # noqa: E402,F403
