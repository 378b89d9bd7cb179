"""Screenshots for the simulator's runs: a small PNG of a phone (or browser) screen with a few
blocks standing in for text and a button, and, annotated, a red box around the element the step
acted on. Made with zlib alone, a few KiB each."""

from __future__ import annotations

import struct
import zlib

Color = tuple[int, int, int]
WHITE: Color = (255, 255, 255)
GREY: Color = (214, 218, 224)
DARK: Color = (60, 64, 72)
BRAND: Color = (52, 96, 220)
RED: Color = (230, 40, 40)
Box = tuple[int, int, int, int]  # left, top, right, bottom


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width: int, height: int, boxes: list[tuple[Box, Color]], outlines: list[Box] | None = None) -> bytes:
    """A PNG of ``width`` x ``height``: filled ``boxes`` over white, then 3 px red ``outlines``."""
    rows = []
    for y in range(height):
        row = bytearray(WHITE * width)
        for (left, top, right, bottom), color in boxes:
            if top <= y < bottom:
                row[left * 3 : right * 3] = bytes(color) * (right - left)
        for left, top, right, bottom in outlines or []:
            if top <= y < top + 3 or bottom - 3 <= y < bottom:
                row[left * 3 : right * 3] = bytes(RED) * (right - left)
            elif top <= y < bottom:
                for x in (*range(left, left + 3), *range(right - 3, right)):
                    row[x * 3 : x * 3 + 3] = bytes(RED)
        rows.append(b"\x00" + bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _chunk(b"IEND", b"")
    )


def screenshot(*, web: bool, annotated: bool, step: int) -> bytes:
    """A screen at ``step``: a header, lines of text, a button; annotated marks the button."""
    width, height = (640, 400) if web else (270, 560)
    lines = [((16, 80 + 28 * i, width - 16 - 40 * ((i + step) % 3), 92 + 28 * i), GREY) for i in range(6)]
    button: Box = (24, height - 110, width - 24, height - 60)
    boxes = [((0, 0, width, 56), BRAND), ((16, 20, 120, 36), WHITE), *lines, (button, DARK)]
    left, top, right, bottom = button
    return png(width, height, boxes, [(left - 8, top - 8, right + 8, bottom + 8)] if annotated else [])
