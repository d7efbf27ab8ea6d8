"""The report renders in headless Chromium, with its figures visible (CI installs chromium; see .ci/run)."""

import os
import shutil
import subprocess

import pytest

from traitrl.report.html import build_report

from .test_report import _results

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--window-size=1200,2400",
         # draw only complete frames: under load a screenshot once caught the figures half painted (499
         # coloured pixels against 1,883; with this flag 10 of 10 beside two busy processes read 1,883)
         "--run-all-compositor-stages-before-draw"]


def _screenshot(html_path, png_path, profile):
    subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"--screenshot={png_path}",
                    f"file://{html_path}"], check=True, capture_output=True, timeout=90)
    return png_path


def _plot_pixels(png_path) -> int:
    """Pixels that are neither near-white nor near-grey text: the coloured marks of the figures."""
    from PIL import Image

    img = Image.open(png_path).convert("RGB").resize((300, 600))
    return sum(1 for r, g, b in img.getdata() if max(r, g, b) - min(r, g, b) > 60)


@pytest.mark.skipif(CHROMIUM is None and os.environ.get("CI") != "true", reason="chromium not installed")
def test_report_renders_with_figures_in_chromium(tmp_path):
    assert CHROMIUM, "CI must install chromium (.ci/run)"
    with_figs = build_report(_results(), tmp_path / "a")
    bare = _results()
    for arm in bare["arms"].values():
        arm["training"]["metrics"] = []
    bare["compare"]["trait"]["per_benchmark"] = {}
    bare["persistence"] = {}
    without_figs = build_report(bare, tmp_path / "b")
    dom = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'p0'}", "--dump-dom",
                          f"file://{with_figs}"], check=True, capture_output=True, text=True, timeout=90).stdout
    assert dom.count("<img") >= 3 and "&lt;script&gt;alert" in dom
    a = _plot_pixels(_screenshot(with_figs, tmp_path / "a.png", tmp_path / "p1"))
    b = _plot_pixels(_screenshot(without_figs, tmp_path / "b.png", tmp_path / "p2"))
    assert a > 500 and a > 5 * max(b, 1)
