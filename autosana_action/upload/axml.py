"""The ``package`` of an APK's binary ``AndroidManifest.xml`` (Android's compiled XML).

A compiled XML file is a chain of chunks, each ``type:u16 header_size:u16 size:u32``: the file
chunk, then a string pool, a resource-id map and one chunk per XML node. The manifest's root
element carries ``package`` as a plain (namespace-less) attribute whose value is a string of the
pool. Parsers on PyPI (androguard, pyaxmlparser) pull in lxml and much more for this one value,
so this reader does only that and answers None for anything it cannot read (a damaged or
obfuscated manifest): the user then names the bundle id."""

from __future__ import annotations

import struct

XML_CHUNK = 0x0003
STRING_POOL = 0x0001
START_ELEMENT = 0x0102
UTF8_FLAG = 1 << 8
NO_INDEX = 0xFFFFFFFF
TYPE_STRING = 0x03
CHUNK_HEADER = struct.Struct("<HHI")
# ResStringPool_header after the chunk header: stringCount, styleCount, flags, stringsStart, stylesStart.
POOL_HEADER = struct.Struct("<IIIII")
# ResXMLTree_node (lineNumber, comment) then ResXMLTree_attrExt (ns, name, attributeStart,
# attributeSize, attributeCount, ...).
ELEMENT = struct.Struct("<II" + "IIHHH")
# ResXMLTree_attribute: ns, name, rawValue, Res_value (size, res0, dataType, data).
ATTRIBUTE = struct.Struct("<IIIHBBI")


class _Pool:
    def __init__(self, data: bytes, start: int, header_size: int) -> None:
        count, _styles, flags, strings_start, _ = POOL_HEADER.unpack_from(data, start + CHUNK_HEADER.size)
        self._data = data
        self._offsets = struct.unpack_from(f"<{count}I", data, start + header_size)
        self._strings = start + strings_start
        self._utf8 = bool(flags & UTF8_FLAG)

    def get(self, index: int) -> str | None:
        if index >= len(self._offsets):
            return None
        at = self._strings + self._offsets[index]
        return self._utf8_at(at) if self._utf8 else self._utf16_at(at)

    def _utf8_at(self, at: int) -> str:
        _chars, at = self._length(at, 1)
        size, at = self._length(at, 1)
        return self._data[at : at + size].decode("utf-8", "replace")

    def _utf16_at(self, at: int) -> str:
        chars, at = self._length(at, 2)
        return self._data[at : at + 2 * chars].decode("utf-16-le", "replace")

    def _length(self, at: int, width: int) -> tuple[int, int]:
        """A length of one unit, or two when the unit's high bit is set (long strings)."""
        fmt, high = ("<B", 0x80) if width == 1 else ("<H", 0x8000)
        (first,) = struct.unpack_from(fmt, self._data, at)
        if first & high:
            (second,) = struct.unpack_from(fmt, self._data, at + width)
            return ((first & (high - 1)) << (8 * width)) | second, at + 2 * width
        return first, at + width


def manifest_package(data: bytes) -> str | None:
    """The root ``<manifest package=...>`` of a compiled manifest, or None when it cannot be read."""
    try:
        return _package(data)
    except (struct.error, IndexError, ValueError):
        return None


def _package(data: bytes) -> str | None:
    kind, header_size, _ = CHUNK_HEADER.unpack_from(data, 0)
    if kind != XML_CHUNK:
        return None
    pool: _Pool | None = None
    at = header_size
    while at + CHUNK_HEADER.size <= len(data):
        kind, header_size, size = CHUNK_HEADER.unpack_from(data, at)
        if size < CHUNK_HEADER.size:
            return None
        if kind == STRING_POOL and pool is None:
            pool = _Pool(data, at, header_size)
        elif kind == START_ELEMENT:
            return _root_package(data, at, header_size, pool) if pool is not None else None
        at += size
    return None


def _root_package(data: bytes, at: int, header_size: int, pool: _Pool) -> str | None:
    _line, _comment, _ns, name, attr_start, attr_size, attr_count = ELEMENT.unpack_from(data, at + CHUNK_HEADER.size)
    if pool.get(name) != "manifest" or attr_size < ATTRIBUTE.size:
        return None
    first = at + header_size + attr_start
    for number in range(attr_count):
        ns, attr_name, raw, _size, _res0, data_type, value = ATTRIBUTE.unpack_from(data, first + number * attr_size)
        if ns != NO_INDEX or pool.get(attr_name) != "package":
            continue
        index = raw if raw != NO_INDEX else value if data_type == TYPE_STRING else NO_INDEX
        text = pool.get(index) if index != NO_INDEX else None
        return text.strip() or None if text else None
    return None
