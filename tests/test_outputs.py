"""Outputs: nothing already written is lost or weakened, and an output the system refuses is exit 2 with its path.

Every case runs the real command line and checks the exit code, the message and the file system afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from .conftest import CONSOLE_SCRIPT, DATA, EXAMPLES_1_1, run_main

MINI = str(DATA / "rubrics" / "valid-minimal.yaml")
GOOD = str(DATA / "answers" / "mini-two-groups.yaml")
EXAMPLE = str(EXAMPLES_1_1 / "riverside-community.yaml")
EARLIER = b"the earlier output\n"


def bad_answers(tmp_path: Path) -> str:
    path = tmp_path / "bad.yaml"
    path.write_text("rubric: {id: mini, version: '1.0'}\norganisation: [\n", encoding="utf-8")
    return str(path)


def bad_export(tmp_path: Path) -> str:
    path = tmp_path / "bad.csv"
    path.write_text("organisation_id,group,lead-1,lead-2,meth-1\norg,board,9,1,1\n", encoding="utf-8")
    return str(path)


# (command line with OUT and BAD placeholders, output suffix): each fails on bad input and must leave OUT as it was.
FAILING_RUNS = {
    "score one bad file": (["score", MINI, "BAD", "-o", "OUT"], ".json"),
    "score a good and a bad file": (["score", MINI, GOOD, "BAD", "-o", "OUT"], ".csv"),
    "score to xlsx": (["score", MINI, GOOD, "BAD", "-o", "OUT"], ".xlsx"),
    "score a blank questionnaire template": (["score", MINI, "BLANK", "-o", "OUT"], ".json"),
    "compare": (["compare", MINI, GOOD, "BAD", "-o", "OUT"], ".csv"),
    "report": (["report", MINI, "BAD", "-o", "OUT"], ".html"),
    "questionnaire": (["questionnaire", str(DATA / "rubrics" / "invalid" / "bad-enum.yaml"), "-o", "OUT"], ".xlsx"),
    "import": (["import", MINI, "EXPORT", "-o", "OUT"], ".yaml"),
    "score-export": (["score-export", MINI, "EXPORT", "-o", "OUT"], ".csv"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", FAILING_RUNS)
def test_a_failed_run_never_replaces_an_earlier_output(case, tmp_path):
    if case == "score-export":
        pytest.importorskip("polars")
    args, suffix = FAILING_RUNS[case]
    out = tmp_path / f"out{suffix}"
    out.write_bytes(EARLIER)
    bad, export, blank = bad_answers(tmp_path), bad_export(tmp_path), tmp_path / "blank.xlsx"
    if "BLANK" in args:
        assert run_main("questionnaire", MINI, "-o", str(blank)).returncode == 0
    line = [{"OUT": str(out), "BAD": bad, "EXPORT": export, "BLANK": str(blank)}.get(a, a) for a in args]
    result = run_main(*line)
    assert result.returncode == 2, result.stderr
    assert out.read_bytes() == EARLIER
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert not list(tmp_path.glob(".*.part"))


def test_score_with_several_inputs_one_bad_writes_nothing_and_says_so(tmp_path):
    out = tmp_path / "scores.json"
    result = run_main("score", MINI, GOOD, bad_answers(tmp_path), "-o", str(out))
    assert result.returncode == 2
    assert "bad.yaml:3" in result.stderr
    assert f"{out}: not written, because an answers file has problems" in result.stderr
    assert not out.exists()


def test_replacing_a_file_keeps_its_permissions_and_a_new_file_gets_the_umask_default(tmp_path):
    private = tmp_path / "private.json"
    private.write_bytes(EARLIER)
    private.chmod(0o600)
    assert run_main("score", MINI, GOOD, "-o", str(private)).returncode == 0
    assert private.read_bytes() != EARLIER
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    fresh = tmp_path / "fresh.json"
    mask = os.umask(0)
    os.umask(mask)
    assert run_main("score", MINI, GOOD, "-o", str(fresh)).returncode == 0
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~mask


def special_outputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Outputs that are not regular files: (path given, what the message says it is)."""
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    to_fifo = tmp_path / "to-pipe.json"
    to_fifo.symlink_to(fifo)
    to_null = tmp_path / "to-null.json"
    to_null.symlink_to("/dev/null")
    nowhere = tmp_path / "nowhere.json"
    nowhere.symlink_to(tmp_path / "missing.json")
    return {
        "fifo": (fifo, "is a FIFO (named pipe), not a regular file"),
        "symlink to a fifo": (to_fifo, f"is a symlink to {fifo}, a FIFO (named pipe)"),
        "symlink to a device": (to_null, "is a symlink to /dev/null, a device"),
        "dangling symlink": (nowhere, "is a symlink to nothing"),
    }


@pytest.mark.parametrize("case", ["fifo", "symlink to a fifo", "symlink to a device", "dangling symlink"])
def test_a_device_fifo_or_symlink_to_one_is_refused_not_opened_or_replaced(case, tmp_path):
    path, message = special_outputs(tmp_path)[case]
    before = os.lstat(path)
    result = run_main("score", MINI, GOOD, "-o", str(path))
    assert result.returncode == 2, result.stderr
    assert f"{path}: /: {message}" in result.stderr
    after = os.lstat(path)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert not (tmp_path / "missing.json").exists()
    assert not list(tmp_path.glob(".*.part"))


def test_a_device_node_given_directly_is_refused(tmp_path):
    device = tmp_path / "null.json"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, AttributeError):
        pytest.skip("making a device node needs root")
    result = run_main("score", MINI, GOOD, "-o", str(device))
    assert result.returncode == 2
    assert f"{device}: /: is a device, not a regular file" in result.stderr
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_a_symlink_to_a_regular_file_is_written_through_and_stays_a_link(tmp_path):
    target = tmp_path / "runs" / "2026.json"
    target.parent.mkdir()
    target.write_bytes(EARLIER)
    target.chmod(0o640)
    link = tmp_path / "latest.json"
    link.symlink_to(Path("runs") / "2026.json")
    result = run_main("score", MINI, GOOD, "-o", str(link))
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == str(Path("runs") / "2026.json")
    assert target.read_text(encoding="utf-8").startswith("{")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert not list(target.parent.glob(".*.part"))


def unwritable_runs(tmp_path: Path, where: str) -> list[list[str]]:
    """Every command that writes, with its output at ``where`` (a folder the system refuses)."""
    export = tmp_path / "survey.csv"
    export.write_text("organisation_id,group,lead-1,lead-2,meth-1\norg,board,1,2,3\n", encoding="utf-8")
    return [
        ["score", MINI, GOOD, "-o", f"{where}/out.json"],
        ["compare", MINI, GOOD, "-o", f"{where}/out.csv"],
        ["report", MINI, GOOD, "-o", f"{where}/out.html"],
        ["questionnaire", MINI, "-o", f"{where}/out.xlsx"],
        ["import", MINI, str(export), "-o", f"{where}/out.yaml"],
        ["import", MINI, str(export), "-o", f"{where}/answers/"],
        ["batch", "qi-readiness", str(Path(EXAMPLE).parent), "-o", f"{where}/reports", "--formats", "json"],
    ]


def assert_refused_with_the_path(result: subprocess.CompletedProcess[str], where: str, reason: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert where in result.stderr and reason in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("index", range(7))
def test_an_output_under_a_file_is_exit_2_with_the_path_and_reason(index, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a folder\n", encoding="utf-8")
    args = unwritable_runs(tmp_path, str(notes))[index]
    result = run_main(*args)
    if args[0] == "batch":  # the batch checks its folder before it starts
        assert result.returncode == 2 and f"{notes}/reports" in result.stderr, result.stderr
        return
    assert_refused_with_the_path(result, f"{notes}/", "Not a directory")
    assert notes.read_text(encoding="utf-8") == "not a folder\n"


@pytest.mark.slow
@pytest.mark.parametrize("index", range(7))
def test_an_output_in_proc_is_exit_2_with_the_path_and_reason(index, tmp_path):
    args = unwritable_runs(tmp_path, "/proc/self")[index]
    result = run_main(*args)
    assert result.returncode == 2, result.stderr
    assert "/proc/self/" in result.stderr and "cannot write the output: " in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


@pytest.mark.subprocess
def test_an_output_on_a_read_only_filesystem_is_exit_2_with_the_path_and_reason(tmp_path):
    """A real read-only filesystem: a tmpfs mounted read-only in a private mount namespace (root here, so a
    folder without write permission would prove nothing); without that, a folder without write permission."""
    folder = tmp_path / "readonly"
    folder.mkdir()
    unshare = shutil.which("unshare")
    command = [str(CONSOLE_SCRIPT), "score", MINI, GOOD, "-o", f"{folder}/out.json"]
    probe = subprocess.run([unshare or "unshare", "-m", "true"], capture_output=True, check=False) if unshare else None
    if probe is not None and probe.returncode == 0:
        script = f'mount -t tmpfs -o ro tmpfs "{folder}" && exec "$@"'
        result = subprocess.run(
            [unshare or "", "-m", "sh", "-c", script, "sh", *command],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert_refused_with_the_path(result, f"{folder}/out.json", "Read-only file system")
    elif os.geteuid() != 0:
        folder.chmod(0o555)
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert_refused_with_the_path(result, f"{folder}/out.json", "Permission denied")
    else:
        pytest.skip("running as root without mount namespaces: no way to make a read-only folder here")


def test_the_next_write_removes_its_own_stale_part_files_and_nothing_else(tmp_path):
    out = tmp_path / "out.json"
    stale = tmp_path / ".out.json.k3j_9x2a.part"
    fresh = tmp_path / ".out.json.p0q1r2s3.part"
    other_output = tmp_path / ".other.json.k3j_9x2a.part"
    not_ours = [tmp_path / name for name in (".out.json.part", ".out.json.tooLONG123.part", "out.json.abcdefgh.part")]
    for path in (stale, fresh, other_output, *not_ours):
        path.write_bytes(b"half a file")
    an_hour_ago = time.time() - 3600
    for path in (stale, other_output, *not_ours):
        os.utime(path, (an_hour_ago, an_hour_ago))
    result = run_main("score", MINI, GOOD, "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert not stale.exists()
    assert fresh.exists() and other_output.exists() and all(p.exists() for p in not_ours)


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_text_that_is_not_valid_unicode_is_exit_2_and_nothing_is_written(suffix, tmp_path):
    # A JSON answers file may spell a lone surrogate as an escape; no UTF-8 output can hold it.
    text = (DATA / "answers" / "mini-two-groups.yaml").read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    document["organisation"]["name"] = "A\ud800B"
    answers = tmp_path / "surrogate.json"
    answers.write_text(json.dumps(document), encoding="utf-8")
    out = tmp_path / f"out{suffix}"
    out.write_bytes(EARLIER)
    result = run_main("score", MINI, str(answers), "-o", str(out))
    assert result.returncode == 2, result.stderr
    assert out.read_bytes() == EARLIER
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
