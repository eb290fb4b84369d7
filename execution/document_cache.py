"""A bounded cache of what is worked out once per parsed document.

Keyed by the identity of the objects it was worked out from (a schema, a document, an
operation), not by their value: Strawberry's parser cache hands back the same document
object for the same text, and hashing a document would walk all of it. Each entry keeps
those objects, so that a key's ids cannot be reused by others while it lives. The least
recently used entry goes first once the cache is full.
"""

from collections import OrderedDict
from collections.abc import Hashable, Iterator
from typing import Generic, TypeVar

Value = TypeVar("Value")


class DocumentCache(Generic[Value]):
    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, tuple[tuple[object, ...], Value]] = OrderedDict()

    def _key(self, objects: tuple[object, ...], extra: Hashable) -> Hashable:
        return (*map(id, objects), extra)

    def get(self, objects: tuple[object, ...], extra: Hashable = None) -> Value | None:
        """The value worked out from these very objects (and `extra`), if still kept."""
        key = self._key(objects, extra)
        entry = self._entries.get(key)
        if entry is None or any(
            kept is not given for kept, given in zip(entry[0], objects, strict=True)
        ):
            return None
        self._entries.move_to_end(key)
        return entry[1]

    def put(self, objects: tuple[object, ...], value: Value, extra: Hashable = None) -> Value:
        key = self._key(objects, extra)
        self._entries[key] = (objects, value)
        self._entries.move_to_end(key)
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return value

    def values(self) -> Iterator[Value]:
        return (value for _, value in self._entries.values())
