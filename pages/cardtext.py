"""Text on the preview card (pages/shareimage.py) in every language: fonts, shaping, direction, wrapping.

Pillow draws with one font at a time and has no fallback, and no single font covers Latin and Arabic. So a
line is cut into runs: Arabic script (Noto Sans Arabic, shaped right to left by raqm), other text (Noto
Sans, left to right) and spaces; the runs are placed right to left on a right-to-left card, left to right
otherwise. A character neither font has (an emoji) is left out rather than drawn as an empty box. Both
fonts are bundled in pages/fonts/ with their licence (SIL OFL 1.1).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageDraw, ImageFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FACES = {
    "regular": ("NotoSans-Regular.ttf", "NotoSansArabic-Regular.ttf"),
    "bold": ("NotoSans-Bold.ttf", "NotoSansArabic-Bold.ttf"),
}
ELLIPSIS = "…"
MISSING = "\U0010fffd"  # a private-use code point no font has: how the .notdef box looks


@dataclass(frozen=True)
class Run:
    text: str
    arabic: bool = False
    space: bool = False


@lru_cache(maxsize=64)
def font(weight: str, arabic: bool, size: int) -> ImageFont.FreeTypeFont:
    name = FACES[weight][1 if arabic else 0]
    return ImageFont.truetype(str(FONT_DIR / name), size, layout_engine=ImageFont.Layout.RAQM)


@lru_cache(maxsize=8192)
def _has_glyph(arabic: bool, char: str) -> bool:
    face = font("regular", arabic, 24)

    def look(c: str) -> tuple:
        mask = face.getmask(c)
        return mask.size, bytes(mask), face.getlength(c)

    return look(char) != look(MISSING)


def _is_arabic(char: str) -> bool:
    return unicodedata.bidirectional(char) in ("AL", "R")


def runs(text: str) -> list[Run]:
    """The line cut into runs of one font each, in reading order; characters no font has are left out."""
    found: list[Run] = []
    for char in text:
        if char.isspace():
            kind = (False, True)
        elif _is_arabic(char):
            if not _has_glyph(True, char):
                continue
            kind = (True, False)
        elif unicodedata.bidirectional(char) == "L":
            if not _has_glyph(False, char):
                continue
            kind = (False, False)
        else:
            # Digits and punctuation stay in the current run when its font has them.
            current = found[-1] if found and not found[-1].space else None
            if current is not None and _has_glyph(current.arabic, char):
                kind = (current.arabic, False)
            elif _has_glyph(False, char):
                kind = (False, False)
            elif _has_glyph(True, char):
                kind = (True, False)
            else:
                continue
        if found and (found[-1].arabic, found[-1].space) == kind:
            found[-1] = Run(found[-1].text + char, *kind)
        else:
            found.append(Run(char, *kind))
    return found


def _run_width(run: Run, weight: str, size: int) -> float:
    face = font(weight, run.arabic, size)
    return face.getlength(run.text, direction="rtl" if run.arabic else "ltr")


def width(text: str, weight: str, size: int) -> float:
    return sum(_run_width(run, weight, size) for run in runs(text))


def _wrap(words: list[str], weight: str, size: int, room: float) -> list[str]:
    lines: list[str] = []
    for word in words:
        if lines and width(f"{lines[-1]} {word}", weight, size) <= room:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _shorten(line: str, weight: str, size: int, room: float) -> str:
    while line and width(line + ELLIPSIS, weight, size) > room:
        line = line[:-1]
    return line.rstrip() + ELLIPSIS


def fit(
    text: str, *, weight: str, sizes: tuple[int, ...], room: float, max_lines: int
) -> tuple[int, list[str]]:
    """The largest size at which the text fits in max_lines lines of `room` pixels, and those lines; at the
    smallest size, what does not fit is cut with an ellipsis."""
    # A word made only of characters no font has (an emoji) would leave a gap.
    words = [word for word in text.split() if runs(word)]
    for size in sizes:
        lines = _wrap(words, weight, size, room)
        if len(lines) <= max_lines and all(width(line, weight, size) <= room for line in lines):
            return size, lines
    size = sizes[-1]
    lines = _wrap(words, weight, size, room)
    kept = lines[:max_lines]
    if len(lines) > max_lines or width(kept[-1], weight, size) > room:
        kept[-1] = _shorten(
            kept[-1] if len(lines) <= max_lines else f"{kept[-1]} {lines[max_lines]}", weight, size, room
        )
    return size, kept


def draw_line(
    canvas: ImageDraw.ImageDraw,
    *,
    baseline: float,
    left: float,
    right: float,
    text: str,
    weight: str,
    size: int,
    fill: tuple[int, int, int],
    rtl: bool,
) -> None:
    """One line on its baseline: from `left` on a left-to-right card, up to `right` on a right-to-left one."""
    line = runs(text)
    widths = [_run_width(run, weight, size) for run in line]
    x = right - sum(widths) if rtl else left
    order = list(zip(line, widths, strict=True))
    for run, run_width in reversed(order) if rtl else order:
        if not run.space:
            canvas.text(
                (x, baseline),
                run.text,
                font=font(weight, run.arabic, size),
                fill=fill,
                anchor="ls",
                direction="rtl" if run.arabic else "ltr",
            )
        x += run_width
