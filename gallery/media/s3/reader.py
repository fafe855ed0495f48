"""What S3MediaStore.open() returns: one stored object as a seekable file whose bytes are
fetched only when read, and only from the first byte asked for."""

from __future__ import annotations

import io
from typing import Any


class ObjectReader(io.RawIOBase):
    """One stored object as a seekable file that asks the bucket for bytes only when read:
    a HEAD request or a 304 fetches nothing, a range request fetches from its first byte.
    Every GET is bound to the ETag the headers were made from (If-Match), so the bytes sent
    are the ones those headers describe."""

    def __init__(self, client: Any, bucket: str, key: str, size: int, etag: str) -> None:
        super().__init__()
        self._client, self._bucket, self._key = client, bucket, key
        self.size, self._etag = size, etag
        self._pos = 0
        self._body: Any = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        position = max(0, base + offset)
        if position != self._pos:
            self._drop()
            self._pos = position
        return self._pos

    def readinto(self, buffer: Any) -> int:
        if self._pos >= self.size or not len(buffer):
            return 0
        if self._body is None:
            self._body = self._client.get_object(
                Bucket=self._bucket,
                Key=self._key,
                Range=f"bytes={self._pos}-",
                IfMatch=f'"{self._etag}"',
            )["Body"]
        data = self._body.read(len(buffer))
        if not data:
            return 0
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def close(self) -> None:
        self._drop()
        super().close()

    def _drop(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None
