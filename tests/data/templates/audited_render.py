"""Render hostile templates under an audit hook (used by tests/test_template_sandbox.py).

Usage: python audited_render.py CONFIG.json. Scores one answers file, renders once with the bundled templates (so
every module is imported and the bundled templates compiled), then installs an audit hook and renders each trick
from the config's templates folder, recording each file, directory, process and network event that happens while
rendering, in this process and in the forked render, to the log file. Prints its pid and each trick's outcome
as JSON.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from qimaturity import load_assessment, load_rubric, score
from qimaturity._core.outputs import write_atomic
from qimaturity._core.problems import InputError
from qimaturity.report.render import render_html

WATCHED = ("open", "os.", "shutil.", "subprocess.", "socket.", "urllib.", "http.", "ctypes.", "webbrowser.", "pty.")
UNWATCHED = ("os.getenv", "os.putenv")


def main() -> None:
    config = json.loads(Path(sys.argv[1]).read_text())
    rubric = load_rubric(config["rubric"])
    result = score(rubric, load_assessment(config["answers"], rubric))
    render_html(result, rubric)
    templates = Path(config["templates"])
    log = os.open(config["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    recording = [False]

    def hook(event: str, args: tuple) -> None:
        if recording[0] and event.startswith(WATCHED) and not event.startswith(UNWATCHED):
            shown = [os.fsdecode(a) if isinstance(a, bytes | os.PathLike) else a for a in args]
            shown = [a if isinstance(a, str | int | float | None) else repr(a) for a in shown]
            os.write(log, (json.dumps([os.getpid(), event, shown]) + "\n").encode())

    sys.addaudithook(hook)
    outcomes = {}
    last = ""
    for name, body in config["tricks"].items():
        (templates / "gap-report.html.j2").write_text(body)
        recording[0] = True
        try:
            html = render_html(result, rubric, templates_dir=templates)
        except InputError as error:
            recording[0] = False
            outcomes[name] = {"problems": [p.to_dict() for p in error.problems], "secret": False}
        else:
            recording[0] = False
            outcomes[name] = {"problems": None, "secret": "canary" in html, "leak": "LEAK" in html, "end": html[-100:]}
            last = html
    recording[0] = True
    write_atomic(config["output"], last)
    recording[0] = False
    print(json.dumps({"pid": os.getpid(), "outcomes": outcomes}))


if __name__ == "__main__":
    main()
