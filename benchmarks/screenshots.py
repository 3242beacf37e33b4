# Screenshots of every page of a batch output: the first screen (PNG) and the printed A4 PDF (with
# its pages as PNG when pdftoppm is installed), plus a table of A4 page counts and byte sizes.
"""Usage: ``python benchmarks/screenshots.py OUTPUT_DIR SHOTS_DIR`` (e.g. ``/tmp/out/FY2021 /tmp/shots``).

Uses headless Chromium (``chromium``), offline. Prints one line per page: name, bytes, A4 pages.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

CHROMIUM = ("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer")


def pdf_page_count(pdf: Path) -> int:
    """Pages of a PDF written by Chromium (counts its ``/Type /Page`` objects)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))


def shoot(page: Path, shots: Path) -> tuple[int, int]:
    """First-screen PNG and A4 PDF of one HTML page; returns (bytes of the HTML, printed pages)."""
    url = page.resolve().as_uri()
    stem = shots / page.stem
    subprocess.run([*CHROMIUM, "--window-size=1280,900", f"--screenshot={stem}-screen.png", url],
                   check=True, capture_output=True, timeout=120)
    pdf = Path(f"{stem}.pdf")
    subprocess.run([*CHROMIUM, f"--print-to-pdf={pdf}", url], check=True, capture_output=True, timeout=120)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), f"{stem}-page"], check=True, timeout=120)
    return page.stat().st_size, pdf_page_count(pdf)


def main(argv: list[str]) -> int:
    out, shots = Path(argv[0]), Path(argv[1])
    shots.mkdir(parents=True, exist_ok=True)
    total_bytes = total_pages = 0
    print("| ページ | バイト | A4 ページ |\n|---|---:|---:|")
    for page in sorted(out.glob("*.html")):
        size, pages = shoot(page, shots)
        total_bytes, total_pages = total_bytes + size, total_pages + pages
        print(f"| {page.name} | {size:,} | {pages} |")
    print(f"| 合計 | {total_bytes:,} | {total_pages} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
