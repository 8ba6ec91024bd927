"""Write the reference images of the certificates' visual test (tests/certificates/reference/*.png).

Run after a deliberate change to the certificate layout, then look at every PNG before committing them:
the test compares new renderings against these. Usage: .venv/bin/python scripts/certificate_references.py
"""
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fairapp.certificates.render import render_one  # noqa: E402
from tests.certificates.thai_samples import DESIGN, SAMPLES  # noqa: E402

DPI = "150"


def png(pdf_bytes: bytes, out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.pdf"
        path.write_bytes(pdf_bytes)
        subprocess.run(["pdftoppm", "-png", "-gray", "-r", DPI, "-singlefile", str(path), str(out.with_suffix(""))],
                       check=True)


if __name__ == "__main__":
    folder = ROOT / "tests" / "certificates" / "reference"
    folder.mkdir(exist_ok=True)
    for name, face in SAMPLES.items():
        png(render_one(DESIGN, face), folder / f"{name}.png")
        print(folder / f"{name}.png")
