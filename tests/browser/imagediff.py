"""Screenshot comparison against reviewed reference PNGs (Pillow + numpy; not a test module).

A pixel *differs* when any of its R, G, B channels is more than ``pixel_tolerance`` away
from the reference (absorbs anti-aliasing noise); the images *match* when they have the same
size and at most ``budget`` pixels differ. The budget is a number of pixels, not a share of
the image: a share grows with the page's length (on the home page a recoloured button is
0.1 % of the pixels, a changed word 0.01 %). On a mismatch the actual, the reference and a
diff image are written to an output folder named in the assertion message.
"""

from __future__ import annotations

import dataclasses as dc
import io
import os
from pathlib import Path

import numpy as np
from PIL import Image

UPDATE_ENV = "NEUGUONG_UPDATE_SCREENSHOTS"
PIXEL_TOLERANCE = 32
"""Largest channel difference (of 255) still taken as the same pixel: blending and rounding
differences on anti-aliased edges stay under it, a glyph or border moved by a pixel does not."""
BUDGET = 300
"""Most differing pixels in a matching image: a changed word of 18px text is about 600, a
recoloured button several thousand; one lost diacritic (about 5) is below it."""


@dc.dataclass(frozen=True, slots=True)
class Comparison:
    """How an actual image differs from its reference."""

    actual_size: tuple[int, int]
    reference_size: tuple[int, int]
    differing: int
    """Pixels beyond the tolerance (0 when the sizes differ: nothing was compared)."""
    mask: np.ndarray | None = dc.field(default=None, repr=False, compare=False)

    @property
    def same_size(self) -> bool:
        return self.actual_size == self.reference_size

    @property
    def share(self) -> float:
        width, height = self.actual_size
        return self.differing / (width * height) if width * height else 0.0

    def matches(self, budget: int = BUDGET) -> bool:
        return self.same_size and self.differing <= budget

    def describe(self) -> str:
        if not self.same_size:
            return f"size {self.actual_size} differs from the reference's {self.reference_size}"
        return f"{self.differing} pixels ({self.share:.3%}) differ"


def rgb(image: Image.Image) -> np.ndarray:
    """An image as a ``height × width × 3`` int16 array (alpha dropped)."""
    return np.asarray(image.convert("RGB"), dtype=np.int16)


def compare(
    actual: Image.Image, reference: Image.Image, pixel_tolerance: int = PIXEL_TOLERANCE
) -> Comparison:
    """Count the pixels of ``actual`` that differ from ``reference`` beyond the tolerance."""
    if actual.size != reference.size:
        return Comparison(actual.size, reference.size, 0)
    mask = (np.abs(rgb(actual) - rgb(reference)) > pixel_tolerance).any(axis=2)
    return Comparison(actual.size, reference.size, int(mask.sum()), mask)


def diff_image(reference: Image.Image, mask: np.ndarray) -> Image.Image:
    """The reference washed out to a light grey, with differing pixels in pure red."""
    grey = rgb(reference).mean(axis=2)
    light = (155 + grey * 100 / 255).astype(np.uint8)
    out = np.stack([light, light, light], axis=2)
    out[mask] = (255, 0, 0)
    return Image.fromarray(out, "RGB")


def updating() -> bool:
    """True when the references are being regenerated on purpose."""
    return os.environ.get(UPDATE_ENV) == "1"


def assert_matches_reference(
    png: bytes,
    reference_path: Path,
    output_dir: Path,
    *,
    pixel_tolerance: int = PIXEL_TOLERANCE,
    budget: int = BUDGET,
) -> Comparison | None:
    """Compare a screenshot with its reference, or write the reference when updating.

    A missing reference fails (it is never created silently). On a mismatch the actual,
    reference and diff PNGs go to ``output_dir`` and the message says where.
    """
    actual = Image.open(io.BytesIO(png))
    if updating():
        reference_path.parent.mkdir(parents=True, exist_ok=True)
        actual.save(reference_path, optimize=True)
        return None
    if not reference_path.exists():
        raise AssertionError(
            f"no reference screenshot {reference_path}; review the page, then write it with {UPDATE_ENV}=1"
        )
    reference = Image.open(reference_path)
    result = compare(actual, reference, pixel_tolerance)
    if result.matches(budget):
        return result
    output_dir.mkdir(parents=True, exist_ok=True)
    stem = reference_path.stem
    actual.save(output_dir / f"{stem}-actual.png")
    reference.save(output_dir / f"{stem}-reference.png")
    written = [f"{stem}-actual.png", f"{stem}-reference.png"]
    if result.mask is not None:
        diff_image(reference, result.mask).save(output_dir / f"{stem}-diff.png")
        written.append(f"{stem}-diff.png")
    raise AssertionError(
        f"screenshot {stem}: {result.describe()} (tolerance {pixel_tolerance}/255 per channel, "
        f"budget {budget} pixels); wrote {', '.join(written)} to {output_dir}"
    )
