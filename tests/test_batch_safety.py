"""`qimaturity batch` under attack and accident: a killed batch stops writing, one hostile file does not stop the
others (with --peers too), and a corrupt manifest is rebuilt rather than a crash on every run."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from qimaturity.batch.run import MANIFEST_NAME

from .conftest import CONSOLE_SCRIPT, EXAMPLES_1_1, QI_READINESS_1_1, run_cli

# Batches under attack run as a user runs them: the real console script, each in a process of its own.
pytestmark = pytest.mark.subprocess

EXAMPLES = sorted((EXAMPLES_1_1).glob("*.yaml"))
STEMS = [p.stem for p in EXAMPLES]


@pytest.fixture
def answers(tmp_path: Path) -> Path:
    folder = tmp_path / "answers"
    folder.mkdir()
    for path in EXAMPLES:
        shutil.copy(path, folder / path.name)
    return folder


def outputs(folder: Path) -> set[str]:
    """The finished outputs in a folder (not the temporary .part files)."""
    return {p.name for p in folder.iterdir() if not p.name.startswith(".")} if folder.exists() else set()


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find the worker processes")
def test_a_batch_killed_with_sigkill_takes_its_workers_with_it_and_writes_nothing_more(tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    text = EXAMPLES[0].read_text(encoding="utf-8")
    for number in range(16):
        (folder / f"org-{number:02d}.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    batch = subprocess.Popen(
        [str(CONSOLE_SCRIPT), "batch", str(QI_READINESS_1_1), str(folder), "-o", str(out), "--formats", "pdf"]
        + ["--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while not outputs(out) and time.monotonic() < deadline:
            time.sleep(0.02)
        workers = children(batch.pid)
        assert outputs(out) and len(workers) == 2, "the batch did not start writing with two workers"
    finally:
        batch.send_signal(signal.SIGKILL)
        batch.wait()
    at_kill = outputs(out)
    deadline = time.monotonic() + 10
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(w) for w in workers), "workers outlived the killed batch"
    time.sleep(1.0)
    assert outputs(out) == at_kill
    assert len(at_kill) < 16


def test_peers_isolates_a_file_that_breaks_its_loader_like_the_plain_batch(answers, tmp_path):
    (answers / "deep.json").write_text("[" * 100_000, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("batch", str(QI_READINESS_1_1), str(answers), "-o", str(out), "--formats", "html", "--peers")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert re.search(rf"^{re.escape(str(answers / 'deep.json'))}(:\d+:\d+)?: ", result.stderr, re.M), result.stderr
    assert outputs(out) == {f"{stem}.html" for stem in STEMS}
    report = (out / f"{STEMS[0]}.html").read_text(encoding="utf-8")
    assert "peers" in report.lower()


@pytest.mark.parametrize(
    "manifest",
    [
        "[" * 100_000,
        '{"manifest": "qimaturity-batch-manifest", "version": 1, "outputs": {',
        "\ufeff\x00",
        '{"a": 1, "a": 2}',
    ],
    ids=["nested 10^5 deep", "truncated", "binary", "duplicate key"],
)
def test_a_corrupt_manifest_is_a_note_and_is_rebuilt(manifest, answers, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / MANIFEST_NAME).write_text(manifest, encoding="utf-8")
    first = run_cli("batch", str(QI_READINESS_1_1), str(answers), "-o", str(out), "--formats", "json")
    assert first.returncode == 0, first.stderr
    assert f"note: {out / MANIFEST_NAME} is not a batch manifest this version can read" in first.stderr
    rebuilt = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert sorted(rebuilt["outputs"]) == sorted(f"{stem}.json" for stem in STEMS)
    second = run_cli("batch", str(QI_READINESS_1_1), str(answers), "-o", str(out), "--formats", "json")
    assert second.returncode == 0 and "note:" not in second.stderr
    assert "3 files: 0 written, 3 up to date" in second.stderr


def test_a_manifest_that_is_a_fifo_is_never_opened(answers, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / MANIFEST_NAME)
    result = run_cli("batch", str(QI_READINESS_1_1), str(answers), "-o", str(out), "--formats", "json")
    assert result.returncode == 2
    assert f"{out / MANIFEST_NAME}: /: is a FIFO (named pipe), not a regular file" in result.stderr
    assert outputs(out) == {f"{stem}.json" for stem in STEMS}
