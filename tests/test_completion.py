"""Shell completion: click's own protocol (``_QIMATURITY_COMPLETE``), driven as click's tests drive it.

The shell's script sends the words typed in ``COMP_WORDS`` and the index of the word being completed in
``COMP_CWORD``; the command answers one ``type,value`` line per candidate (bash), where ``file`` asks the shell to
complete a file name itself. These run the command line's real ``main()`` with that environment.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import DATA, INVALID, ROOT, run_cli, run_main

RIVERSIDE = "examples/answers/riverside.yaml"
# The questions of qi-readiness whose ids start with 'lead-', in the order of rubrics/qi-readiness.yaml.
LEAD_QUESTIONS = [
    "lead-executive-lead",
    "lead-role-models",
    "lead-two-jobs",
    "lead-coaching",
    "lead-distributed",
    "lead-continuity",
    "lead-succession",
    "lead-objectives",
]


def complete(line: str, *, shell: str = "bash", env: dict[str, str] | None = None, cwd: Path = ROOT) -> list[str]:
    """What the command offers for the last word of ``line`` (a trailing space: a new, empty word), as the bash
    (or zsh) script asks it. Completion exits 0 and prints nothing on stderr, whatever was typed."""
    words = shlex.split(line)
    cword = len(words) if line.endswith(" ") else len(words) - 1
    comp = {"_QIMATURITY_COMPLETE": f"{shell}_complete", "COMP_WORDS": line, "COMP_CWORD": str(cword)}
    result = run_main(env={**comp, **(env or {})}, cwd=cwd)
    assert (result.returncode, result.stderr) == (0, "")
    return [line for line in result.stdout.splitlines() if line]  # nothing to offer: an empty line


def test_a_rubric_id_prefix_completes_to_the_bundled_rubrics() -> None:
    # The file item comes first (bash's script clears what came before it), so file names show only when no id fits.
    assert complete("qimaturity score qi") == ["file,qi", "plain,qi-programme-stages", "plain,qi-readiness"]
    assert complete("qimaturity validate qi-r") == ["file,qi-r", "plain,qi-readiness"]
    assert complete("qimaturity rubric diff qi-readiness qi-p") == ["file,qi-p", "plain,qi-programme-stages"]
    assert complete("qimaturity compare qi-readiness answers/ --with-rubric qi-p") == [
        "file,qi-p",
        "plain,qi-programme-stages",
    ]


def test_rubric_ids_on_the_search_path_are_offered(tmp_path: Path) -> None:
    folder = tmp_path / "ours"
    folder.mkdir()
    (folder / "psc-maturity.yaml").write_text("not read: completion lists file names\n")
    (folder / "quality-2026.yml").write_text("")
    given = complete(f"qimaturity show --rubric-path {folder} ")
    assert given == [
        "file,",
        "plain,psc-maturity",
        "plain,qi-programme-stages",
        "plain,qi-readiness",
        "plain,quality-2026",
    ]
    assert complete("qimaturity show ps", env={"QIMATURITY_RUBRIC_PATH": str(folder)}) == [
        "file,ps",
        "plain,psc-maturity",
    ]


def test_question_ids_of_the_rubric_typed_are_offered_for_question() -> None:
    offered = complete(f"qimaturity explain qi-readiness {RIVERSIDE} --question lead-")
    assert offered == [f"plain,{qid}" for qid in LEAD_QUESTIONS]
    assert complete(f"qimaturity explain qi-readiness {RIVERSIDE} --question lead-s") == ["plain,lead-succession"]
    # zsh shows each with its short title; --question=PREFIX completes too.
    assert complete(f"qimaturity explain qi-readiness {RIVERSIDE} --question=lead-e", shell="zsh") == [
        "plain",
        "lead-executive-lead",
        "Named executive lead",
    ]


def test_domain_and_group_ids_of_the_rubric_typed_are_offered() -> None:
    assert complete(f"qimaturity explain qi-readiness {RIVERSIDE} --domain ma") == ["plain,management-system"]
    assert complete("qimaturity show qi-programme-stages --domain ") == [
        "plain,foundations",
        "plain,infrastructure",
        "plain,practice",
        "plain,spread",
    ]
    assert complete("qimaturity questionnaire qi-readiness --group ") == [
        "plain,board",
        "plain,managers",
        "plain,frontline",
        "plain,patient-partners",
    ]


def test_file_arguments_and_options_complete_file_names() -> None:
    assert complete("qimaturity score qi-readiness examples/ans") == ["file,examples/ans"]
    assert complete(f"qimaturity explain qi-readiness {RIVERSIDE} --mapping map") == ["file,map"]
    assert complete("qimaturity report qi-readiness a.yaml --history exa") == ["file,exa"]
    assert complete("qimaturity import qi-readiness responses.json -o answ") == ["file,answ"]
    assert complete("qimaturity batch qi-readiness ex") == ["dir,ex"]


@pytest.mark.parametrize(
    "line",
    [
        f"qimaturity explain no-such-rubric {RIVERSIDE} --question lead-",
        f"qimaturity explain {INVALID}/bad-version.yaml {RIVERSIDE} --question lead-",
        f"qimaturity explain {RIVERSIDE} {RIVERSIDE} --domain ",
        "qimaturity questionnaire --group ",
        "qimaturity explain qi-readiness x.yaml --what-if nope=9 --question lead-s",
    ],
)
def test_a_rubric_that_does_not_load_gives_no_completions_and_no_message(line: str) -> None:
    offered = complete(line)
    if "what-if" in line:  # a bad value of another option does not stop the completion
        assert offered == ["plain,lead-succession"]
    else:
        assert offered == []


def test_a_search_path_that_cannot_be_read_gives_the_bundled_ids_and_no_message(tmp_path: Path) -> None:
    env = {"QIMATURITY_RUBRIC_PATH": str(tmp_path / "missing")}
    assert complete("qimaturity score qi-r", env=env) == ["file,qi-r", "plain,qi-readiness"]


@pytest.mark.subprocess
def test_the_console_script_writes_each_shells_script_and_completes_without_loading_heavy_modules() -> None:
    for shell, marker in (("bash", "complete -o nosort -F"), ("zsh", "#compdef qimaturity"), ("fish", "complete")):
        result = run_cli(env={"_QIMATURITY_COMPLETE": f"{shell}_source"})
        assert result.returncode == 0, result.stderr
        assert marker in result.stdout and "_QIMATURITY_COMPLETE" in result.stdout
    # Completing question ids reads the rubric and nothing heavy: no renderer, spreadsheet, dataframe or FHIR module.
    code = (
        "import sys\n"
        "from qimaturity.cli.main import main\n"
        "try:\n"
        "    main([])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('weasyprint', 'openpyxl', 'polars', 'fhir', 'jinja2', 'django', 'rich')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy), file=sys.stderr)\n"
    )
    env = {
        "_QIMATURITY_COMPLETE": "bash_complete",
        "COMP_WORDS": f"qimaturity explain qi-readiness {RIVERSIDE} --question lead-s",
        "COMP_CWORD": "5",
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False, env=env
    )
    assert (done.stdout, done.stderr) == ("plain,lead-succession\n", "[]\n")


def test_zsh_gets_one_line_of_help_a_candidate_whatever_the_titles_hold(tmp_path: Path) -> None:
    # zsh reads type, value and help as three lines a candidate: a title folded over lines (YAML's '>' keeps a
    # line break at its end) shifted every candidate after it.
    rubric = (DATA / "rubrics" / "valid-minimal.yaml").read_text()
    folded = rubric.replace("text: ", "text: >\n          ", 1)
    assert folded != rubric
    path = tmp_path / "folded.yaml"
    path.write_text(folded)
    line = f"qimaturity explain {path} {RIVERSIDE} --question "
    comp = {"_QIMATURITY_COMPLETE": "zsh_complete", "COMP_WORDS": line, "COMP_CWORD": str(len(shlex.split(line)))}
    result = run_main(env=comp)
    assert (result.returncode, result.stderr) == (0, "")
    lines = result.stdout.split("\n")[:-1]
    assert len(lines) % 3 == 0 and lines[0::3] == ["plain"] * (len(lines) // 3), lines
    assert lines[1::3] == ["lead-1", "lead-2", "meth-1"]
