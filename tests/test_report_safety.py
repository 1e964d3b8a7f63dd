"""Untrusted text never runs, never fetches, never attaches: organisation names, comments, brand files and
custom templates are all hostile here. Real HTML, real WeasyPrint, the PDF read back with pypdf."""

from __future__ import annotations

import io
import socket
import threading
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from qimaturity.report.render import render_pdf

from .conftest import EXAMPLES_1_1, QI_READINESS_1_1, run_main

HOSTILE = [
    "<script>alert('name')</script>",
    '<img src="file:///etc/passwd">',
    '<link rel="attachment" href="file:///etc/hostname">',
    "<style>body { background: url(http://127.0.0.1:9/) }</style>",
    "{{ ''.__class__.__mro__ }}",
]


class Listener:
    """A local TCP port that records whether anything connected to it."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.server.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def hostile_answers(tmp_path: Path, port: int) -> Path:
    data = yaml.safe_load((EXAMPLES_1_1 / "northgate-acute.yaml").read_text())
    tricks = [*HOSTILE, f"<img src='http://127.0.0.1:{port}/pixel.png'>"]
    data["organisation"]["name"] = " ".join(tricks)
    data["assessor"] = f"<link rel=stylesheet href='http://127.0.0.1:{port}/x.css'>"
    answers = data["respondents"][0]["answers"]
    question = next(iter(answers))
    value = answers[question]
    level = value if isinstance(value, int) else value["level"]
    answers[question] = {"level": level, "comment": "\n".join(tricks)}
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def attachments(pdf: bytes) -> dict:
    return PdfReader(io.BytesIO(pdf)).attachments


@pytest.mark.slow
def test_hostile_text_is_escaped_in_html(tmp_path, listener):
    out = tmp_path / "report.html"
    result = run_main("report", str(QI_READINESS_1_1), str(hostile_answers(tmp_path, listener.port)), "-o", str(out))
    assert result.returncode == 0, result.stderr
    html = out.read_text()
    assert "<script" not in html
    assert '<img src="file:' not in html and "<link" not in html
    assert "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;" in html
    assert "{{ &#39;&#39;.__class__.__mro__ }}" in html  # shown as text, never evaluated
    assert "&lt;class" not in html


@pytest.mark.slow
def test_hostile_text_in_pdf_is_printed_not_fetched_or_attached(tmp_path, listener):
    out = tmp_path / "report.pdf"
    result = run_main("report", str(QI_READINESS_1_1), str(hostile_answers(tmp_path, listener.port)), "-o", str(out))
    assert result.returncode == 0, result.stderr
    pdf = out.read_bytes()
    assert attachments(pdf) == {}
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages[:2])
    assert "<script>alert('name')</script>" in text
    assert listener.connections == 0


@pytest.mark.slow
def test_the_pdf_renderer_refuses_files_and_network_even_in_raw_html(listener):
    html = f"""<html><head><title>t</title>
    <link rel="attachment" href="file:///etc/hostname">
    <link rel="stylesheet" href="http://127.0.0.1:{listener.port}/style.css">
    <style>body {{ background: url(http://127.0.0.1:{listener.port}/bg.png) }}</style></head>
    <body><p>text</p><img src="file:///etc/passwd" alt="x"><img src="http://127.0.0.1:{listener.port}/i.png" alt="y">
    <img src="https://example.org/redirect" alt="z"></body></html>"""
    pdf = render_pdf(html)
    assert attachments(pdf) == {}
    assert b"root:" not in pdf
    assert listener.connections == 0


def test_the_fetcher_allows_only_bundled_assets_data_and_named_files(tmp_path):
    from qimaturity._core.resources import bundled_dir
    from qimaturity.report.pdf_fetching import FetchRefused, RestrictedFetcher

    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n")
    fetcher = RestrictedFetcher(allowed_dirs=(bundled_dir("reports"),), allowed_files=(logo,))
    assert fetcher.permitted((bundled_dir("reports") / "style.css").resolve().as_uri())
    assert fetcher.permitted(logo.resolve().as_uri())
    assert fetcher.permitted("data:text/plain,hello")
    for url in (
        "file:///etc/passwd",
        (bundled_dir("reports") / ".." / ".." / "pyproject.toml").as_uri(),
        "http://127.0.0.1:9/",
        "https://example.org/",
        "ftp://example.org/x",
        "file://otherhost/etc/passwd",
    ):
        assert not fetcher.permitted(url), url
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)


def test_brand_file_cannot_inject_css_or_markup(tmp_path):
    brand = tmp_path / "brand.yaml"
    brand.write_text('name: Acme\ncolours:\n  primary: "red; } body { display: none"\n')
    answers = EXAMPLES_1_1 / "northgate-acute.yaml"
    result = run_main(
        "report", str(QI_READINESS_1_1), str(answers), "-o", str(tmp_path / "r.html"), "--brand", str(brand)
    )
    assert result.returncode == 2
    assert result.stderr.startswith(
        f"{brand}:3:12: /colours/primary: 'red; }} body {{ display: none' is not a colour "
        '(write it as "#RRGGBB", e.g. "#1d3557")'
    )
    assert not (tmp_path / "r.html").exists()

    brand.write_text(
        'name: "<script>alert(1)</script>"\ncover_text: "</style><script>x()</script>"\nfooter_text: "{{ 7 * 7 }}"\n'
    )
    out = tmp_path / "r.html"
    assert (
        run_main("report", str(QI_READINESS_1_1), str(answers), "-o", str(out), "--brand", str(brand)).returncode == 0
    )
    html = out.read_text()
    assert "<script" not in html and "&lt;/style&gt;" in html
    assert "{{ 7 * 7 }}" in html and "49" not in html.split("running-footer")[1][:60]


TEMPLATE_TRICKS = {
    "class-walk": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "globals": "{{ cycler.__init__.__globals__ }}",
    "huge-string": "{{ 'x' * 100000000 }}",
    "power": "{{ 10 ** 10000000 }}",
    "nested-ranges": "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "include-outside": "{% include '/etc/passwd' %}",
    "report-internals": "{{ report.__class__.__init__.__globals__ }}",
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TEMPLATE_TRICKS))
def test_template_tricks_are_refused_with_template_file_and_line(tmp_path, name):
    templates = tmp_path / "templates"
    templates.mkdir()
    template = templates / "gap-report.html.j2"
    template.write_text(
        '{% extends "bundled/gap-report.html.j2" %}\n{% block cover %}\n' + TEMPLATE_TRICKS[name] + "\n{% endblock %}\n"
    )
    out = tmp_path / "report.html"
    out.write_text("the previous report")
    answers = EXAMPLES_1_1 / "northgate-acute.yaml"
    result = run_main("report", str(QI_READINESS_1_1), str(answers), "-o", str(out), "--templates", str(templates))
    assert result.returncode == 2, result.stdout
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{template}:") or result.stderr.startswith(str(templates))
    assert out.read_text() == "the previous report"  # nothing already written is damaged


@pytest.mark.slow
def test_custom_template_cannot_fetch_or_attach_in_the_pdf(tmp_path, listener):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "gap-report.html.j2").write_text(
        '{% extends "bundled/gap-report.html.j2" %}\n'
        "{% block head_extra %}\n"
        '<link rel="attachment" href="file:///etc/hostname">\n'
        f'<link rel="stylesheet" href="http://127.0.0.1:{listener.port}/brand.css">\n'
        f"<style>.cover {{ background: url(http://127.0.0.1:{listener.port}/bg.png) }}</style>\n"
        "{% endblock %}\n"
        '{% block cover %}<img src="file:///etc/passwd" alt="p">{{ super() }}{% endblock %}\n'
    )
    out = tmp_path / "report.pdf"
    answers = EXAMPLES_1_1 / "northgate-acute.yaml"
    result = run_main("report", str(QI_READINESS_1_1), str(answers), "-o", str(out), "--templates", str(templates))
    assert result.returncode == 0, result.stderr
    pdf = out.read_bytes()
    assert attachments(pdf) == {}
    assert b"root:" not in pdf
    assert listener.connections == 0
