"""The report as a person sees it: rendered by a real browser (headless chromium) at a desktop and a phone
width, and its DOM after loading checked for figures, broken references, external URLs and scripts. Skips,
saying why, where no chromium is installed (the Makefile installs Debian's when root with apt)."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("jinja2")
pytest.importorskip("matplotlib")

from foulplay.report import load_results, write_report

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "run_folder"
BROWSER = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no chromium on PATH: report screenshots not checked "
                                                        "(apt-get install chromium)")
WIDTHS = {"desktop": (1280, 2400), "narrow": (390, 3000)}


def _chromium(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    # no network: file:// only, and every request elsewhere would fail (the page must not make any)
    cmd = [str(BROWSER), "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
           "--no-first-run", "--disable-extensions", f"--user-data-dir={cwd / 'profile'}", *args]
    return subprocess.run(cmd, capture_output=True, timeout=240, cwd=cwd, check=False)


def _audits(out: Path) -> list[Path]:
    """Three audits made by the real commands: the example run, a vulnerable harness on two techniques, and the
    example agent session and diff (with the static scan's operating points)."""
    from foulplay.cli.main import main

    root = EXAMPLE.parents[1]
    made = []
    for kind, args in (("run", [str(EXAMPLE)]),
                       ("grader", ["--harness", "vulnerable", "--limit", "1", "--technique", "always-equal-object",
                                   "--technique", "conftest-report-patch"]),
                       ("agent", [str(root / "examples" / "agent_session.jsonl"),
                                  str(root / "examples" / "tampering.diff")])):
        with pytest.raises(SystemExit) as exc:
            main(["audit", kind, *args, "-o", str(out / kind)])
        assert exc.value.code == 1, kind
        made.append(out / kind)
    return made


@pytest.fixture(scope="module", params=["run-report", "audits"])
def page(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser")
    blank = out / "blank.html"
    blank.write_text("<!doctype html><title>t</title><p id=probe>ok</p>")
    try:
        probe = _chromium("--dump-dom", blank.as_uri(), cwd=out)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"chromium cannot start here ({type(exc).__name__}): report screenshots not checked")
    if probe.returncode != 0 or b"probe" not in probe.stdout:
        pytest.skip("chromium cannot render a trivial page here: report screenshots not checked "
                    f"({probe.stderr.decode(errors='replace').strip().splitlines()[-1:]})")
    if request.param == "audits":
        inputs = _audits(out)
        files = write_report(load_results(inputs), out / "report", inputs=[str(p) for p in inputs])
        text = files.html.read_text(encoding="utf-8")
        for section in ("The answer", "Grader audit", "Agent and code scans", "Detectors: operating points"):
            assert section in text, section
        return files.html
    files = write_report(load_results([EXAMPLE]), out / "report", inputs=["examples/run_folder"])
    return files.html


@pytest.fixture(scope="module")
def dom(page: Path) -> str:
    done = _chromium("--dump-dom", page.as_uri(), cwd=page.parent.parent)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return done.stdout.decode("utf-8")


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


@pytest.mark.parametrize("name", sorted(WIDTHS))
def test_screenshot(page: Path, name: str) -> None:
    width, height = WIDTHS[name]
    shot = page.parent / f"{name}.png"
    done = _chromium(f"--window-size={width},{height}", f"--screenshot={shot}", page.as_uri(), cwd=page.parent.parent)
    assert done.returncode == 0 and shot.is_file(), done.stderr.decode(errors="replace")[-2000:]
    assert _png_size(shot) == (width, height)
    # a blank page compresses to a few kilobytes; text and figures do not
    assert shot.stat().st_size > 30_000


def test_every_figure_is_drawn(dom: str) -> None:
    figures = re.findall(r"<figure\b.*?</figure>", dom, re.S)
    assert len(figures) >= 3
    for fig in figures:
        svg = re.search(r"<svg\b.*?</svg>", fig, re.S)
        assert svg is not None, fig[:200]
        assert len(re.findall(r"<path\b", svg.group(0))) > 10, "an empty figure"


def test_no_broken_references_external_urls_or_scripts(dom: str) -> None:
    ids = set(re.findall(r'\bid="([^"]+)"', dom))
    for target in re.findall(r'href="#([^"]+)"', dom):
        assert target in ids, f"link to a missing anchor #{target}"
    # SVG's own namespace declarations are not fetched; everything a browser would load must be local
    loads = re.findall(r'\b(?:src|href|xlink:href)="([^"]+)"', dom)
    external = [u for u in loads if re.match(r"(?i)(https?:)?//", u)]
    assert external == []
    assert "<script" not in dom.lower()
    assert "@import" not in dom and "url(http" not in dom


def test_readable_without_javascript(page: Path, dom: str) -> None:
    """The page as served (no JavaScript ran) already holds the headings and warnings the DOM shows."""
    html = page.read_text(encoding="utf-8")
    for heading in re.findall(r"<h2[^>]*>(.*?)</h2>", dom, re.S):
        assert heading in html
    assert "CONSTRUCTED DATA" in html and "Warning" in html
