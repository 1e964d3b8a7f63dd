"""A brand file is untrusted: its logo must be a real image of bounded size inside the brand file's folder, reached
through no symbolic link, and it is refused with the brand file's line and the reason, never dropped."""

from __future__ import annotations

import base64

import pytest

from qimaturity._core.limits import MAX_LOGO_PIXELS
from qimaturity._core.problems import InputError
from qimaturity.report.branding import load_brand

from .conftest import EXAMPLES_1_1, QI_READINESS_1_1, run_main
from .hostile.corpus import _png

ANSWERS = EXAMPLES_1_1 / "northgate-acute.yaml"


def brand_with(folder, logo: str):
    path = folder / "brand.yaml"
    path.write_text(f"name: Acme Improvement\nlogo: {logo}\n", encoding="utf-8")
    return path


def refusal(path) -> str:
    with pytest.raises(InputError) as caught:
        load_brand(path)
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.path) == (str(path), 2, "/logo")
    return problem.message


def test_a_real_logo_is_embedded_whole(tmp_path):
    (tmp_path / "logo.png").write_bytes(_png(120, 40))
    brand = load_brand(brand_with(tmp_path, "logo.png"))
    assert brand.logo is not None
    assert base64.b64decode(brand.logo.partition(",")[2]) == (tmp_path / "logo.png").read_bytes()


@pytest.mark.slow
def test_a_logo_of_too_many_pixels_is_refused_before_it_is_decoded(tmp_path):
    # 13,000 x 13,000 = 169,000,000 pixels in a file of about 160 KB: 1.6 GB when a PDF decoded it.
    (tmp_path / "bomb.png").write_bytes(_png(13_000, 13_000))
    message = refusal(brand_with(tmp_path, "bomb.png"))
    assert message == f"the logo 'bomb.png' has more than {MAX_LOGO_PIXELS:,} pixels"


def test_a_logo_just_over_the_pixel_limit_is_refused_and_one_at_it_is_read(tmp_path):
    # Pillow warns between its limit and twice it, and refuses beyond: both are refusals here.
    (tmp_path / "over.png").write_bytes(_png(4_001, 4_000))
    assert refusal(brand_with(tmp_path, "over.png")) == f"the logo 'over.png' has more than {MAX_LOGO_PIXELS:,} pixels"
    (tmp_path / "at.png").write_bytes(_png(4_000, 4_000))
    assert load_brand(brand_with(tmp_path, "at.png")).logo is not None


def test_a_logo_that_is_a_symlink_is_refused(tmp_path):
    (tmp_path / "logo.png").symlink_to("/etc/hostname")
    assert (
        refusal(brand_with(tmp_path, "logo.png")) == "the logo 'logo.png' is a symbolic link or is reached through one"
    )


def test_a_logo_reached_through_a_linked_folder_is_refused(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "logo.png").write_bytes(_png(10, 10))
    brand_folder = tmp_path / "brand"
    brand_folder.mkdir()
    (brand_folder / "images").symlink_to(tmp_path / "elsewhere")
    message = refusal(brand_with(brand_folder, "images/logo.png"))
    assert message == "the logo 'images/logo.png' is a symbolic link or is reached through one"


@pytest.mark.parametrize("logo", ["../logo.png", "/etc/logo.png", "images/../../logo.png"])
def test_a_logo_outside_the_brand_folder_is_refused(tmp_path, logo):
    folder = tmp_path / "brand"
    folder.mkdir()
    (tmp_path / "logo.png").write_bytes(_png(10, 10))
    assert refusal(brand_with(folder, logo)) == f"the logo '{logo}' is outside the brand file's folder"


def test_a_logo_that_is_not_the_image_its_name_says_is_refused(tmp_path):
    (tmp_path / "logo.jpg").write_bytes(_png(10, 10))
    assert refusal(brand_with(tmp_path, "logo.jpg")) == "the logo 'logo.jpg' is not a JPEG image"


def test_a_truncated_logo_is_refused_rather_than_dropped_from_the_pdf(tmp_path):
    import weasyprint  # noqa: F401  (importing it lets Pillow load truncated images, process-wide)

    (tmp_path / "logo.png").write_bytes(_png(200, 200)[:60])
    assert refusal(brand_with(tmp_path, "logo.png")).startswith("the logo 'logo.png' cannot be read as an image")


def test_a_truncated_logo_is_refused_after_a_pdf_was_written_in_the_same_process(tmp_path):
    # Importing WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES, as writing any PDF does.
    pytest.importorskip("weasyprint")
    from PIL import ImageFile

    (tmp_path / "logo.png").write_bytes(_png(200, 200)[:60])
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    assert refusal(brand_with(tmp_path, "logo.png")).startswith("the logo 'logo.png' cannot be read as an image")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # WeasyPrint's setting is left as it was


def test_an_svg_logo_with_entities_is_refused(tmp_path):
    svg = '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>'
    (tmp_path / "logo.svg").write_text(svg, encoding="utf-8")
    assert refusal(brand_with(tmp_path, "logo.svg")) == "the SVG logo 'logo.svg' has a DOCTYPE or entities"


def test_an_svg_logo_declaring_an_unknown_encoding_is_refused(tmp_path):
    svg = '<?xml version="1.0" encoding="AUTF-8"?><svg xmlns="http://www.w3.org/2000/svg"/>'
    (tmp_path / "logo.svg").write_text(svg, encoding="utf-8")
    assert refusal(brand_with(tmp_path, "logo.svg")) == (
        "the logo 'logo.svg' is not an SVG image: unknown encoding: AUTF-8"
    )


@pytest.mark.parametrize("attribute", ['href="file:///etc/passwd"', 'xlink:href="http://127.0.0.1:9/x.png"'])
def test_an_svg_logo_that_refers_outside_itself_is_refused(tmp_path, attribute):
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        f"<image {attribute} width='10' height='10'/></svg>"
    )
    (tmp_path / "logo.svg").write_text(svg, encoding="utf-8")
    assert refusal(brand_with(tmp_path, "logo.svg")).startswith("the SVG logo 'logo.svg' refers to")


def test_report_with_a_refused_logo_exits_2_and_keeps_the_earlier_report(tmp_path):
    (tmp_path / "logo.png").symlink_to("/etc/hostname")
    brand = brand_with(tmp_path, "logo.png")
    out = tmp_path / "report.pdf"
    out.write_bytes(b"the earlier report")
    result = run_main("report", str(QI_READINESS_1_1), str(ANSWERS), "--brand", str(brand), "-o", str(out))
    assert result.returncode == 2
    assert result.stderr.startswith(f"{brand}:2:")
    assert "symbolic link" in result.stderr and "Traceback" not in result.stderr
    assert out.read_bytes() == b"the earlier report"


def test_a_brand_given_as_text_reads_as_the_same_file_does_and_names_no_logo(tmp_path):
    from qimaturity._core.limits import MAX_BRAND_BYTES
    from qimaturity.report.branding import parse_brand

    text = 'name: Acme Improvement\ncolours:\n  primary: "#6a1b9a"\nsections:\n  plan: Next steps\n'
    (tmp_path / "brand.yaml").write_text(text, encoding="utf-8")
    assert parse_brand(text) == load_brand(tmp_path / "brand.yaml")
    # A logo and a bad colour: both problems at once, located in the text; no file is looked for.
    (tmp_path / "logo.png").write_bytes(_png(10, 10))
    with pytest.raises(InputError) as caught:
        parse_brand('name: Acme\nlogo: logo.png\ncolours: {primary: "red"}\n', "brand of acme")
    assert sorted((p.file, p.line, p.path) for p in caught.value.problems) == [
        ("brand of acme", 2, "/logo"),
        ("brand of acme", 3, "/colours/primary"),
    ]
    with pytest.raises(InputError, match="over the limit"):
        parse_brand("name: Acme\ncover_text: " + "x" * MAX_BRAND_BYTES + "\n")
