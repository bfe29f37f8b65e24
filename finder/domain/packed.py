"""Records packed in one buffer and decoded on access: a directory served without one object per site.

A national directory holds 100,000 sites; building a ``Site`` for each costs seconds and tens of
megabytes per process. ``Packed`` keeps records as bytes in one buffer (a ``bytes`` or a read-only
memory map shared by every process of the host) with their offsets; ``PackedSites`` and
``PackedStructures`` decode a record (its ``to_dict`` JSON) into a ``Site`` or a ``Structure``
each time it is asked for. Reading one record costs tens of microseconds; iterating over every
site decodes them all, so the hot paths read the index's columns and pre-encoded bytes instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence

import numpy as np

from finder.domain.model import Site, Structure


class Packed(Sequence):
    """Byte strings ``buffer[offsets[i]:offsets[i + 1]]`` (len(offsets) = len + 1)."""

    def __init__(self, buffer, offsets: np.ndarray):
        self.buffer = memoryview(buffer)
        self.offsets = np.asarray(offsets, dtype=np.int64)
        self._bounds = self.offsets.tolist()

    @classmethod
    def pack(cls, records: Iterable[bytes]) -> Packed:
        items = list(records)
        offsets = np.zeros(len(items) + 1, dtype=np.int64)
        np.cumsum([len(r) for r in items], out=offsets[1:])
        return cls(b"".join(items), offsets)

    def __len__(self) -> int:
        return len(self._bounds) - 1

    def __getitem__(self, i):
        bounds = self._bounds
        if type(i) is int and 0 <= i < len(bounds) - 1:  # the hot path: one record by position
            return self.buffer[bounds[i] : bounds[i + 1]].tobytes()
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self.buffer[self._bounds[i] : self._bounds[i + 1]].tobytes()

    def __iter__(self) -> Iterator[bytes]:
        buffer, bounds = self.buffer, self._bounds
        for a, b in zip(bounds[:-1], bounds[1:]):
            yield buffer[a:b].tobytes()


class PackedSites(Sequence):
    """Sites decoded on access from their packed JSON (``Site.to_dict``), in the packed order."""

    def __init__(self, records: Packed):
        self.records = records

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [Site.from_dict(json.loads(r)) for r in self.records[i]]
        return Site.from_dict(json.loads(self.records[i]))

    def __iter__(self) -> Iterator[Site]:
        for r in self.records:
            yield Site.from_dict(json.loads(r))

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None


class PackedStructures(Mapping):
    """Structures by id, decoded on access from their packed JSON (``Structure.to_dict``)."""

    def __init__(self, ids: list[str], records: Packed):
        self.ids = ids
        self.records = records
        self._rows = {sid: i for i, sid in enumerate(ids)}

    def __getitem__(self, sid: str) -> Structure:
        return Structure.from_dict(json.loads(self.records[self._rows[sid]]))

    def __contains__(self, sid) -> bool:
        return sid in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)


def encode(obj) -> bytes:
    """A record's JSON as packed (compact UTF-8)."""
    return json.dumps(obj.to_dict(), ensure_ascii=False, separators=(",", ":")).encode()


class Coded(Sequence):
    """A long sequence of few distinct values (structure ids, départements) as one array of codes:
    read back from a file without one object per item."""

    def __init__(self, values: list, codes: np.ndarray):
        self.values = values
        self.codes = codes

    @classmethod
    def of(cls, items: Iterable) -> Coded:
        numbers: dict = {}
        codes = np.fromiter((numbers.setdefault(x, len(numbers)) for x in items), dtype=np.int32)
        return cls(list(numbers), codes)

    def __len__(self) -> int:
        return len(self.codes)

    def code(self, value) -> int:
        """The code of ``value``, -1 when no item has it."""
        try:
            return self.values.index(value)
        except ValueError:
            return -1

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self.values[c] for c in self.codes[i].tolist()]
        return self.values[self.codes[i]]

    def __iter__(self) -> Iterator:
        values = self.values
        return (values[c] for c in self.codes.tolist())
