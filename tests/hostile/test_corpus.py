"""Every command on every hostile file, as a user would run it, under a 1 GiB address-space limit and a time limit:
exit code 2, the file named, no traceback, no "internal error", and the earlier output left exactly as it was."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from ..conftest import run_cli
from .corpus import CASES, CONTROLS, EXAMPLE, Case, build_all

ADDRESS_SPACE = 1024 * 1024 * 1024
# Polars reserves address space for its allocator and thread pool up front: score-export of a valid seven-row
# export aborts under 1 GiB and runs under 1.5 GiB (measured on 2 cores), so it gets 2 GiB; its memory grows with
# organisations, not rows.
ADDRESS_SPACE_POLARS = 2 * ADDRESS_SPACE
SECONDS = 120
EARLIER = b"the earlier output, which a failed run must leave alone\n"
GOOD_EXPORT = "organisation_id,organisation_name,respondent,group,lead-executive-lead\nrx1,Trust One,r1,board,3\n"


@pytest.fixture(scope="session")  # built once, however the slow cases are ordered
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("corpus")
    paths = build_all(folder)
    (folder / "export.csv").write_text(GOOD_EXPORT, encoding="utf-8")
    return paths


# Each case runs the real console script under limits of its own, in a process of its own; the whole corpus in
# one pytest-xdist worker, which builds its files once.
pytestmark = pytest.mark.subprocess
LARGE = {"many-columns.csv"}  # a file that takes many seconds to refuse


def _cases(cases: tuple[Case, ...], *, accepted: bool = False) -> list[Any]:
    """(file, command) of each case; those that read a large file, or are accepted and write a PDF, are slow."""
    return [
        pytest.param(
            case.name,
            command,
            id=f"{case.name}-{command[0]}",
            marks=pytest.mark.slow if case.name in LARGE or (accepted and command[-1].endswith(".pdf")) else (),
        )
        for case in cases
        for command in case.commands
    ]


def _run(corpus: dict[str, Path], tmp_path: Path, name: str, command: tuple[str, ...]) -> tuple[Any, dict[Path, str]]:
    """Run a command of the corpus on its file, with every output it names already holding an earlier result."""
    hostile = corpus[name]
    out = tmp_path / "earlier"
    folder, batch_out = tmp_path / "in", tmp_path / "batch-out"
    values = {"file": str(hostile), "out": str(out), "good": str(EXAMPLE), "export": str(hostile.parent / "export.csv")}
    values.update(dir=str(folder), outdir=str(batch_out))
    args = [part.format(**values) for part in command[1:]]
    outputs = [Path(arg) for arg in args if arg.startswith(str(out))]
    if "{dir}" in command:
        folder.mkdir()
        (folder / hostile.name).write_bytes(hostile.read_bytes())
        batch_out.mkdir()
        outputs.append(batch_out / f"{hostile.stem}.json")
    for output in outputs:
        output.write_bytes(EARLIER)
    before = {output: hashlib.sha256(output.read_bytes()).hexdigest() for output in outputs}
    limit = ADDRESS_SPACE_POLARS if command[0] == "score-export" else ADDRESS_SPACE
    result = run_cli(*args, address_space=limit, timeout=SECONDS)
    return result, before


@pytest.mark.parametrize(("name", "command"), _cases(CONTROLS, accepted=True))
def test_the_files_the_corpus_varies_are_accepted(corpus, tmp_path, name, command):
    result, before = _run(corpus, tmp_path, name, command)
    assert result.returncode == 0, result.stderr[:2000]
    for output in before:
        assert output.read_bytes() != EARLIER, f"{output} was not written"


@pytest.mark.parametrize(("name", "command"), _cases(CASES))
def test_hostile_file_is_refused_cleanly(corpus, tmp_path, name, command):
    hostile = corpus[name]
    result, before = _run(corpus, tmp_path, name, command)
    shown = f"exit {result.returncode}\nstdout: {result.stdout[:2000]}\nstderr: {result.stderr[:2000]}"
    assert result.returncode == 2, shown
    assert hostile.name in result.stderr, shown
    assert "Traceback" not in result.stderr, shown
    assert "internal error" not in result.stderr, shown
    for output, digest in before.items():
        assert hashlib.sha256(output.read_bytes()).hexdigest() == digest, f"{output} was changed\n{shown}"
