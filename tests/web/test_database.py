"""The web tests run on the database the settings name: SQLite by default, PostgreSQL when ``DATABASE_URL`` says so.

``QIMATURITY_TEST_VENDOR_FILE`` (set by tests/web/test_postgresql.py) names a file that receives the database's
vendor, so that the run that started these tests can tell they really ran on PostgreSQL.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connection

from qimaturity.web.organisations.models import Organisation


@pytest.mark.django_db
def test_the_tests_run_on_the_database_the_settings_name() -> None:
    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    assert connection.vendor == expected
    Organisation.objects.create(code="riverside", name="Riverside NHS Trust")
    assert Organisation.objects.get(code="riverside").name == "Riverside NHS Trust"  # written and read back there
    record = os.environ.get("QIMATURITY_TEST_VENDOR_FILE")
    if record:
        Path(record).write_text(connection.vendor, encoding="utf-8")
