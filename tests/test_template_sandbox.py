"""A custom report template is hostile here. It receives plain data only, reaches nothing but that data and our
filters, reads and writes no file but its own templates and the output, and cannot exhaust the machine: every
trick either renders as harmless text or is refused with the template's file and line (exit 2)."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from markupsafe import Markup

from qimaturity import load_assessment, load_rubric, score
from qimaturity._core.limits import MAX_RENDER_MEMORY, MIB
from qimaturity._core.problems import InputError
from qimaturity._core.resources import bundled_dir
from qimaturity.cohort.model import build_cohort
from qimaturity.cohort.score import score_files
from qimaturity.report.branding import Brand, load_brand
from qimaturity.report.render import render_cohort_html, render_html
from qimaturity.report.templating import plain, render_template
from qimaturity.rubric.forms import build_form

from .conftest import COHORT_1_1, EXAMPLES_1_1, QI_READINESS_1_1, ROOT, run_cli, run_main

ANSWERS = EXAMPLES_1_1 / "northgate-acute.yaml"
RUBRIC = load_rubric(QI_READINESS_1_1)
SECRET = "canary-7f3a9c-do-not-leak"


@pytest.fixture(scope="module")
def result():
    return score(RUBRIC, load_assessment(ANSWERS, RUBRIC))


def custom(folder: Path, body: str, name: str = "gap-report.html.j2") -> Path:
    """A template that extends the bundled gap report and puts ``body`` in its cover block, on line 3."""
    folder.mkdir(parents=True, exist_ok=True)
    template = folder / name
    template.write_text('{% extends "bundled/gap-report.html.j2" %}\n{% block cover %}\n' + body + "\n{% endblock %}\n")
    return template


# ---- plain data --------------------------------------------------------------------------------------------------


def test_plain_data_passes_and_dataclasses_become_dicts_with_their_properties():
    @dataclasses.dataclass(frozen=True)
    class Row:
        values: tuple[float, ...]
        note: Markup

        @property
        def total(self) -> float:
            return sum(self.values)

    data = plain({"rows": (Row((1.0, 2.5), Markup("<b>x</b>")),), "flag": True, "none": None, "n": 3})
    rows = [{"values": [1.0, 2.5], "note": "<b>x</b>", "total": 3.5}]
    assert data == {"rows": rows, "flag": True, "none": None, "n": 3}
    assert type(data["rows"][0]["note"]) is Markup  # still safe to print unescaped


@pytest.mark.parametrize(
    ("value", "where"),
    [
        ({"brand": {"logo": Path("/etc/hostname")}}, "context['brand']['logo']: a pathlib.PosixPath"),
        ({"report": [len]}, "context['report'][0]: a builtins.builtin_function_or_method"),
        ({"numbers": {1: "one"}}, "context['numbers']: a key 1 is not text"),
        ({"rubric": object()}, "context['rubric']: a builtins.object"),
    ],
    ids=["path", "callable", "int-key", "object"],
)
def test_plain_refuses_anything_else_naming_where_it_sits(value, where):
    with pytest.raises(TypeError) as error:
        plain(value)
    assert str(error.value).startswith(where)


def test_plain_names_a_leaking_field_inside_a_dataclass():
    @dataclasses.dataclass(frozen=True)
    class Leaky:
        name: str
        where: Path

    with pytest.raises(TypeError, match=r"^context\['brand'\]\.where: a pathlib\.PosixPath"):
        plain({"brand": Leaky("x", Path("."))})


def test_a_brand_holds_no_path():
    brand = load_brand(ROOT / "examples" / "brand" / "brand.yaml")
    assert brand.logo is not None and brand.logo.startswith("data:image/png;base64,")
    assert "logo_path" not in {f.name for f in dataclasses.fields(Brand)}
    assert not any(isinstance(getattr(brand, f.name), Path) for f in dataclasses.fields(Brand))


def test_the_rubric_reaches_templates_without_its_rules_and_path():
    rubric = load_rubric("qi-programme-stages")
    assert rubric.rules and rubric.path  # the model has them
    for view in (plain({"rubric": rubric})["rubric"], plain({"form": build_form(rubric)})["form"]["rubric"]):
        assert "rules" not in view and "path" not in view
        assert view["question_count"] == rubric.question_count and view["lowest"] == rubric.lowest


def dumped_context(tmp_path: Path, render, *names: str) -> dict:
    """What a template really receives: a custom template prints its whole context as JSON."""
    folder = tmp_path / "dump"
    folder.mkdir(parents=True)
    entries = ", ".join(f"{name!r}: {name}" for name in names)
    template = "gap-report.html.j2" if "report" in names else "cohort-report.html.j2"
    (folder / template).write_text("{{ {" + entries + "}|tojson }}")
    return json.loads(render(folder))


COMMON = ("brand", "css", "generated", "generated_iso", "engine")


@pytest.mark.slow
def test_the_gap_report_and_cohort_contexts_are_plain_json_data(tmp_path, result):
    brand = load_brand(ROOT / "examples" / "brand" / "brand.yaml")
    report = dumped_context(
        tmp_path, lambda t: render_html(result, RUBRIC, brand=brand, templates_dir=t), "report", "charts", *COMMON
    )
    assert report["report"]["organisation"] == result.organisation.name
    assert report["brand"]["logo"] == brand.logo and "logo_path" not in report["brand"]
    cohort_results, _ = score_files(RUBRIC, sorted((COHORT_1_1).glob("*.yaml")))
    cohort = build_cohort(cohort_results, group_by="type")
    view = dumped_context(
        tmp_path / "c",
        lambda t: render_cohort_html(cohort, RUBRIC, templates_dir=t),
        "cohort",
        "rubric",
        "titles",
        "heatmaps",
        "group_charts",
        "trend_charts",
        *COMMON,
    )
    assert view["cohort"]["assessment_count"] == len(cohort.results) and "results" not in view["cohort"]
    assert "rules" not in view["rubric"] and "path" not in view["rubric"]


# ---- the sandbox: a template that walks every value of its context ---------------------------------------------

ATTACKS = [
    "__class__",
    "__init__",
    "__globals__",
    "__dict__",
    "__subclasses__",
    "__mro__",
    "__base__",
    "__builtins__",
    "__import__",
    "__self__",
    "__func__",
    "__code__",
    "__getattribute__",
    "__reduce_ex__",
    "mro",
    "read_text",
    "read_bytes",
    "write_text",
    "write_bytes",
    "unlink",
    "open",
    "parent",
    "resolve",
    "rename",
    "mkdir",
    "touch",
    "format",
    "format_map",
    "encode",
    "copy",
    "pop",
    "update",
    "setdefault",
    "clear",
    "append",
    "insert",
    "fromkeys",
    "environment",
    "loader",
    "globals",
    "gi_frame",
    "f_globals",
    "logo_path",
    "_TemplateReference__context",
]

WALK = (
    """{%- set ns = namespace(visited=0) -%}
{%- macro probe(value, where) -%}
{%- set ns.visited = ns.visited + 1 -%}
{%- for name in ATTACKS if not (value is mapping and name in value) -%}
{%- if (value|attr(name)) is defined %}LEAK {{ where }}|attr('{{ name }}')
{% endif -%}
{%- if value is not mapping and value[name] is defined %}LEAK {{ where }}['{{ name }}']
{% endif -%}
{%- endfor -%}
{%- if value is not mapping and (value.__class__ is defined or value.__init__ is defined or value.mro is defined
   or value.read_text is defined or value.format is defined or value.__globals__ is defined) %}LEAK {{ where }}.attr
{% endif -%}
{%- if value is mapping -%}
{%- for key, item in value|dictsort %}{{ probe(item, where ~ "." ~ key) }}{% endfor -%}
{%- elif value is sequence and value is not string -%}
{%- for item in value[:3] %}{{ probe(item, where ~ "[" ~ loop.index0 ~ "]") }}{% endfor -%}
{%- endif -%}
{%- endmacro -%}
"""
    + "".join(f"{{{{ probe({name}, '{name}') }}}}" for name in ("report", "charts", *COMMON))
    + "\n{% for x in [1] %}{{ probe(loop, 'loop') }}{% endfor %}{{ probe(cycler(1, 2), 'cycler()') }}"
    + "{{ probe(self, 'self') }}{{ probe(range, 'range') }}{{ probe(namespace(a=1), 'namespace()') }}"
    + "{{ probe(joiner(), 'joiner()') }}{{ probe(dict, 'dict') }}{{ probe(probe, 'probe') }}"
    + "\nVISITED {{ ns.visited }}"
).replace("ATTACKS", json.dumps(ATTACKS))


# ---- every trick we know, watched from outside ---------------------------------------------------------------

TRICKS = {
    "class-walk": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "report-class": "{{ report.__class__ }}",
    "report-attr": "{{ report|attr('__class__') }}",
    "init-globals": "{{ report.domains[0].__init__.__globals__ }}",
    "cycler-globals": "{{ cycler.__init__.__globals__ }}",
    "joiner-globals": "{{ joiner.__init__.__globals__ }}",
    "namespace-globals": "{{ namespace.__init__.__globals__['os'] }}",
    "namespace-attrs": "{% set ns = namespace(a=1) %}{{ ns._Namespace__attrs }}",
    "namespace-class": "{% set ns = namespace(a=1) %}{{ ns.__class__ }}",
    "cycler-method": "{% set c = cycler(1, 2) %}{{ c.next.__func__.__globals__ }}",
    "joiner-call": "{{ joiner().__call__.__globals__ }}",
    "lipsum": "{{ lipsum.__globals__ }}",
    "range-self": "{{ range.__self__ }}",
    "range-loader": "{{ range.__self__.loader }}",
    "range-class": "{{ range(2).__class__ }}",
    "dict-class": "{{ dict.__base__.__subclasses__() }}",
    "dict-fromkeys": "{{ dict.fromkeys('ab') }}",
    "self": "{{ self }}",
    "self-context": "{{ self._TemplateReference__context }}",
    "self-dict": "{{ self.__dict__ }}",
    "self-block": "{{ self.cover.__call__ }}",
    "loop-iterator": "{% for x in [1] %}{{ loop._iterator }}{% endfor %}",
    "loop-class": "{% for x in [1] %}{{ loop.__class__ }}{% endfor %}",
    "macro-globals": "{% macro m() %}{% endmacro %}{{ m.__globals__ }}",
    "macro-environment": "{% macro m() %}{% endmacro %}{{ m._environment }}",
    "macro-func": "{% macro m() %}{% endmacro %}{{ m._func.__globals__ }}",
    "config": "{{ config }}",
    "request": "{{ request }}",
    "url-for": "{{ url_for.__globals__ }}",
    "builtins": "{{ __builtins__ }}",
    "import": "{{ __import__('os') }}",
    "format": "{{ '{0.__class__}'.format(report) }}",
    "format-map": "{{ '{x.__class__}'.format_map({'x': report}) }}",
    "format-attribute": "{{ report.organisation.format }}",
    "percent-format": "{{ '%s %r'|format(report.organisation, report.rubric_id) }}",
    "map-attribute": "{{ report.domains|map(attribute='__class__')|list }}",
    "map-attr": "{{ report.domains|map('attr', '__class__')|list }}",
    "selectattr": "{{ report.domains|selectattr('__class__')|list }}",
    "sort-attribute": "{{ report.domains|sort(attribute='__class__') }}",
    "groupby": "{% for g in report.domains|groupby('__class__') %}{{ g.grouper }}{% endfor %}",
    "sum-attribute": "{{ report.domains|sum(attribute='__init__') }}",
    "dict-loop": "{% for k, v in report|dictsort %}{{ v.__class__ }}{% endfor %}",
    "dict-items": "{% for k, v in report.items() %}{{ k }}{% endfor %}",
    "keys-loop": "{% for k in report %}{{ report[k].__init__ }}{% endfor %}",
    "logo-path": "{{ (brand.logo_path.parent / '/etc/hostname').read_text() }}",
    "write-text": "{{ brand.logo_path.write_text('x') }}",
    "unlink": "{{ brand.logo_path.unlink() }}",
    "mutate-list": "{{ report.domains.append(1) }}",
    "mutate-dict": "{{ report.update({'organisation': 'x'}) }}",
    "pop": "{{ report.domains[0].questions.pop() }}",
    "markup-unescape": "{{ charts.radar.unescape() }}",
    "markup-html": "{{ css.__html__() }}",
    "encode": "{{ report.organisation.encode('utf-8') }}",
    "pprint": "{{ report.strengths|pprint }}",
    "tojson": "{{ brand|tojson }}",
    "string-class": "{{ (report.organisation|string).__class__.__base__ }}",
    "filter-block": "{% filter attr('__class__') %}x{% endfilter %}",
    "recursive-loop": "{% for x in [[1]] recursive %}{{ loop.__call__ }}{% endfor %}",
    "include-absolute": "{% include '/etc/passwd' %}",
    "include-parent": "{% include '../watched/secret.txt' %}",
    "include-link": "{% include 'leak.j2' %}",
    "import-link": "{% import 'leak.j2' as leak %}{{ leak }}",
    "include-bundled-parent": "{% include 'bundled/../../pyproject.toml' %}",
    "safe-methods": "{{ report.organisation.upper() }} {{ report.domains|length }} {{ report.get('organisation') }}",
}


@pytest.mark.subprocess
def test_every_trick_is_harmless_text_or_a_template_error(tmp_path):
    """Run in a child Python with an audit hook: during each render, every file opened, removed or renamed, every
    directory listed and every process or socket started is recorded (in the forked render too)."""
    watched = tmp_path / "watched"
    watched.mkdir()
    canary = watched / "secret.txt"
    canary.write_text(f"{SECRET}\n")
    os.utime(canary, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    before = (canary.read_bytes(), canary.stat().st_mtime_ns, sorted(os.listdir(watched)))
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "leak.j2").symlink_to(canary)
    out = tmp_path / "out"
    out.mkdir()
    tricks = {**TRICKS, "walk": WALK}
    config = {
        "rubric": str(QI_READINESS_1_1),
        "answers": str(ANSWERS),
        "templates": str(templates),
        "tricks": tricks,
        "log": str(tmp_path / "audit.log"),
        "output": str(out / "report.html"),
    }
    (tmp_path / "config.json").write_text(json.dumps(config))
    driver = Path(__file__).parent / "data" / "templates" / "audited_render.py"
    run = subprocess.run(
        [sys.executable, str(driver), str(tmp_path / "config.json")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert SECRET not in run.stdout + run.stderr and "Traceback" not in run.stderr
    answer = json.loads(run.stdout)
    outcomes = answer["outcomes"]
    assert set(outcomes) == set(tricks)
    for name, outcome in outcomes.items():
        assert not outcome["secret"], name
        if outcome["problems"] is not None:
            (problem,) = outcome["problems"]
            assert problem["file"].startswith(str(templates)) and problem["line"] is not None, (name, problem)
    assert outcomes["safe-methods"]["problems"] is None  # harmless use still works
    assert outcomes["walk"]["problems"] is None and not outcomes["walk"]["leak"]
    # it did reach the depths of the report (every group view and answer of Northgate, whose groups are all shown)
    assert int(outcomes["walk"]["end"].rsplit("VISITED ", 1)[1]) > 500

    # Nothing outside the templates, the bundled reports and the output was touched, in parent or child.
    events = [json.loads(line) for line in (tmp_path / "audit.log").read_text().splitlines()]
    readable = (str(templates), str(bundled_dir("reports").resolve()), "/proc/self/statm")
    written = (str(out / ".report.html."), str(out / "report.html"))
    opened = set()
    for pid, event, args in events:
        if event == "open" and isinstance(args[0], str) and args[0].startswith(readable):
            assert args[1] in ("r", "rb"), args
            opened.add((pid, args[0]))
        elif event in ("open", "os.chmod") and isinstance(args[0], str):
            assert args[0].startswith(written), (event, args)
        elif event == "os.rename":
            assert args[0].startswith(written[0]) and args[1] == written[1], args
        elif event in ("open", "os.chmod"):  # a descriptor already open (the output's temporary file)
            assert isinstance(args[0], int), (event, args)
        else:
            # Listing the output's folder is the writer looking for its own leftover .part files.
            allowed = (("os.fork", []), ("os.mkdir", [str(out)]), ("os.scandir", [str(out)]))
            assert (event, args[:1]) in allowed, (event, args)
    children = {pid for pid, path in opened if path.startswith(str(templates))}
    assert children and answer["pid"] not in children  # custom templates were read, in forked renders
    assert (canary.read_bytes(), canary.stat().st_mtime_ns, sorted(os.listdir(watched))) == before
    assert sorted(os.listdir(out)) == ["report.html"]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["class-walk", "logo-path", "format", "include-link", "namespace-globals"])
def test_a_trick_on_the_command_line_is_exit_2_with_the_template_line(tmp_path, name):
    watched = tmp_path / "watched"
    watched.mkdir()
    (watched / "secret.txt").write_text(SECRET)
    template = custom(tmp_path / "templates", TRICKS[name])
    (tmp_path / "templates" / "leak.j2").symlink_to(watched / "secret.txt")
    out = tmp_path / "report.html"
    out.write_text("the previous report")
    run = run_main("report", str(QI_READINESS_1_1), str(ANSWERS), "-o", str(out), "--templates", str(template.parent))
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith(f"{template}:3: /: "), run.stderr
    assert "Traceback" not in run.stderr and SECRET not in run.stderr
    assert out.read_text() == "the previous report"
    assert sorted(os.listdir(tmp_path)) == ["report.html", "templates", "watched"]


# ---- limits ----------------------------------------------------------------------------------------------------

EXHAUSTION = {
    "center": ("{{ ' '|center(1000000000) }}", {}, f"used more than {MAX_RENDER_MEMORY // MIB} MiB of memory"),
    "concatenation": (
        "{% set ns = namespace(s='xxxxxxxx') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
        {"QIMATURITY_TEMPLATE_MEMORY_MIB": "64"},
        "used more than 64 MiB of memory",
    ),
    "replace": (
        "{% set ns = namespace(s='xxxxxxxx') %}{% for i in range(60) %}{% set ns.s = ns.s|replace('x', 'xx') %}"
        "{% endfor %}",
        {"QIMATURITY_TEMPLATE_MEMORY_MIB": "64"},
        "used more than 64 MiB of memory",
    ),
    "nested-loops": (
        "{% set s = report|string %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}",
        {"QIMATURITY_TEMPLATE_SECONDS": "1"},
        "ran for more than 1 s",
    ),
}


@pytest.mark.subprocess
@pytest.mark.parametrize("name", sorted(EXHAUSTION))
def test_a_template_that_would_exhaust_the_machine_is_stopped_at_its_line(tmp_path, name):
    body, env, limit = EXHAUSTION[name]
    template = custom(tmp_path / "templates", body)
    out = tmp_path / "report.html"
    out.write_text("the previous report")
    run = run_cli(
        "report", str(QI_READINESS_1_1), str(ANSWERS), "-o", str(out), "--templates", str(template.parent), env=env
    )
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith(f"{template}:3: /: the template {limit} (simplify the template"), run.stderr
    assert "Traceback" not in run.stderr
    assert out.read_text() == "the previous report"
    assert sorted(os.listdir(tmp_path)) == ["report.html", "templates"]


@pytest.mark.subprocess
def test_the_memory_limit_holds_under_a_lower_hard_limit_on_the_whole_process(tmp_path):
    template = custom(tmp_path / "templates", EXHAUSTION["center"][0])
    out = tmp_path / "report.html"
    run = run_cli(
        "report",
        str(QI_READINESS_1_1),
        str(ANSWERS),
        "-o",
        str(out),
        "--templates",
        str(template.parent),
        address_space=1024 * MIB,
    )
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith(f"{template}:3: /: the template used more than"), run.stderr
    assert not out.exists()


def test_a_bad_limit_setting_is_refused_by_name(tmp_path):
    out = tmp_path / "report.html"
    run = run_main(
        "report", str(QI_READINESS_1_1), str(ANSWERS), "-o", str(out), env={"QIMATURITY_TEMPLATE_SECONDS": "soon"}
    )
    assert run.returncode == 2
    assert run.stderr.startswith("QIMATURITY_TEMPLATE_SECONDS: /: 'soon' is not a positive number")


def test_rendering_in_this_process_gives_the_same_html_and_the_same_errors(tmp_path, result):
    """Where the system has no fork the render runs in-process, with the sandbox's own bounds only."""
    context = {"name": "Riverside", "rows": [1, 2]}
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "page.html.j2").write_text("{{ name|upper }} {{ rows|sum }}\n{{ name.__class__ }}")
    for isolated in (True, False):
        with pytest.raises(InputError) as error:
            render_template("page.html.j2", context, templates_dir=folder, isolated=isolated)
        assert str(error.value).startswith(f"{folder / 'page.html.j2'}:2: /: template error: access to attribute")
    (folder / "page.html.j2").write_text("{{ name|upper }} {{ rows|sum }}")
    assert {render_template("page.html.j2", context, templates_dir=folder, isolated=i) for i in (True, False)} == {
        "RIVERSIDE 3"
    }


def large_answers(tmp_path: Path, respondents: int) -> Path:
    """An answers file as large as a big organisation's: every question answered by every respondent, with a
    comment each."""
    import yaml

    data = yaml.safe_load(ANSWERS.read_text())
    template = data["respondents"]
    people = []
    for index in range(respondents):
        person = dict(template[index % len(template)])
        person["id"] = f"r{index:05d}"
        person["answers"] = {
            question: {"level": (value if isinstance(value, int) else value["level"]), "comment": f"comment {index}"}
            for question, value in person["answers"].items()
        }
        people.append(person)
    data["respondents"] = people
    path = tmp_path / "large.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.mark.slow
def test_the_bundled_templates_stay_well_inside_the_limits(tmp_path, monkeypatch):
    """A large report and a large cohort render within a quarter of the memory limit (and the default time)."""
    monkeypatch.setenv("QIMATURITY_TEMPLATE_MEMORY_MIB", str(MAX_RENDER_MEMORY // MIB // 4))
    big = score(RUBRIC, load_assessment(large_answers(tmp_path, 300), RUBRIC))
    html = render_html(big, RUBRIC)
    assert "comment 0" in html and html.rstrip().endswith("</html>")
    results, _ = score_files(RUBRIC, sorted((COHORT_1_1).glob("*.yaml")), keep_details=False)
    many = [
        dataclasses.replace(
            r, organisation=dataclasses.replace(r.organisation, id=f"{r.organisation.id}-{copy}", name=f"Org {copy}")
        )
        for copy in range(40)
        for r in results
    ]
    cohort = build_cohort(many, group_by="type")
    assert len(cohort.members) >= 900
    html = render_cohort_html(cohort, RUBRIC)
    assert html.count('class="chart heatmap"') == -(-len(cohort.members) // 50)


@pytest.mark.subprocess
def test_a_batch_with_worker_processes_stops_only_the_report_whose_template_breaks_a_limit(tmp_path):
    """Each worker forks its own renders: the one that exhausts its memory fails, the others are written."""
    template = custom(
        tmp_path / "templates",
        "{% if report.organisation.startswith('Northgate') %}" + EXHAUSTION["center"][0] + "{% endif %}",
    )
    out = tmp_path / "out"
    answers = EXAMPLES_1_1
    run = run_cli(
        "batch",
        str(QI_READINESS_1_1),
        str(answers),
        "-o",
        str(out),
        "--formats",
        "html,json",
        "--workers",
        "2",
        "--templates",
        str(template.parent),
    )
    assert run.returncode == 2, run.stderr
    assert f"{template}:3: /: the template used more than {MAX_RENDER_MEMORY // MIB} MiB of memory" in run.stderr
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr
    written = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    stems = sorted(p.stem for p in answers.glob("*.yaml"))
    assert written == sorted(
        [f"{s}.json" for s in stems] + [f"{s}.html" for s in stems if not s.startswith("northgate")]
    )


def test_what_templates_legitimately_use_still_works(tmp_path):
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "base.j2").write_text("[{% block body %}base{% endblock %}]")
    (folder / "page.j2").write_text(
        """{% extends "base.j2" %}{% block body %}{{ super() }}
{%- macro box(x) %}<{{ caller() }}{{ x }}>{% endmacro -%}
{%- call box(1) %}c{% endcall %}
{%- set ns = namespace(total=0) %}{% for r in rows %}{% set ns.total = ns.total + r.n %}{% endfor %} {{ ns.total }}
{%- set c = cycler("odd", "even") %} {{ c.next() }} {{ c.next() }} {{ c.current }}
{%- set j = joiner("/") %} {% for r in rows %}{{ j() }}{{ r.name }}{% endfor %}
{%- for r in rows %} {{ loop.index }}{{ loop.cycle("a", "b") }}{% if loop.changed(r.n) %}!{% endif %}{% endfor %}
{%- for g in rows|groupby("n") %} {{ g.grouper }}:{{ g.list|map(attribute="name")|join(",") }}{% endfor %}
{%- for x in tree recursive %} {{ x.name }}{% if x.children %}({{ loop(x.children) }}){% endif %}{% endfor %}
 {{ m.values|join(",") }} {{ m["items"] }} {{ m.get("missing", "-") }} {{ dict(a=1)|dictsort }}
 {{ "%+.2f"|format(1.5) }} {{ name.upper() }} {{ name.split(" ")|last }} {{ name.startswith("River") }}
 {{ rows|selectattr("n", "equalto", 2)|map(attribute="name")|list }} {{ range(3)|list }} {{ self.body is defined }}
{%- endblock %}"""
    )
    context = {
        "name": "Riverside Community",
        "rows": [{"name": "a", "n": 1}, {"name": "b", "n": 2}, {"name": "c", "n": 2}],
        "tree": [{"name": "root", "children": [{"name": "leaf", "children": []}]}],
        "m": {"values": [1, 2], "items": "key wins"},
    }
    html = render_template("page.j2", context, templates_dir=folder)
    assert html == (
        "[base<c1> 5 odd even odd a/b/c 1a! 2b! 3a 1:a 2:b,c root( leaf) 1,2 key wins - [(&#39;a&#39;, 1)]\n"
        " +1.50 RIVERSIDE COMMUNITY Community True\n"
        " [&#39;b&#39;, &#39;c&#39;] [0, 1, 2] True]"
    )
