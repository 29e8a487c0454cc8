"""The source -> target id map: the archive's remote_ids for one source and one target,
read once per kind, written through as each answer arrives (so a push can resume)."""

from __future__ import annotations

from typing import Any

from wpcpd.archive import Archive, RemoteId


class Mappings:
    """The archive's remote_ids for one source and target, cached, written through."""

    def __init__(self, archive: Archive, source: str, target: str, dry_run: bool) -> None:
        self.archive = archive
        self.source = source
        self.target = target
        self.dry_run = dry_run
        self._cache: dict[str, dict[str, RemoteId]] = {}

    def all(self, kind: str) -> dict[str, RemoteId]:
        if kind not in self._cache:
            rows = self.archive.remote_ids(kind, self.source, self.target)
            self._cache[kind] = {r.source_id: r for r in rows}
        return self._cache[kind]

    def get(self, kind: str, source_id: Any) -> RemoteId | None:
        return self.all(kind).get(str(source_id))

    def target_id(self, kind: str, source_id: Any) -> int | None:
        found = self.get(kind, source_id)
        return found.target_id if found else None

    def record(
        self, kind: str, source_id: Any, target_id: int, url: str = "", digest: str = ""
    ) -> None:
        remote = RemoteId(kind, self.source, str(source_id), self.target, int(target_id),
                          url, digest)  # fmt: skip
        self.all(kind)[str(source_id)] = remote
        if not self.dry_run:
            self.archive.set_remote_id(remote)

    def set_hash(self, kind: str, source_id: Any, digest: str) -> None:
        found = self.get(kind, source_id)
        if found is not None:
            self.record(kind, source_id, found.target_id, found.target_url, digest)
