"""Collating a family with collatio's own pipeline, and writing its apparatus.

Each family is one engine task: its members' files are read again (the task carries only
paths and sigla, so it runs wherever the files are visible), the members are collated by
:func:`collatio.apparatus.collate_witnesses` (a draft with hand revisions takes part as
its two states, ``-ac`` and ``-pc``), and each chosen format is written into
``OUT/families/FAMILY/`` atomically. ``family.json`` is written last: it records a key
made of the members' file digests, the formats and collatio's version, and a later run
whose family has the same key reuses the files instead of collating again (a survey that
was interrupted resumes where it stopped).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Sequence

import attrs

from collatio._version import __version__
from collatio.apparatus import CollationOptions, collate_witnesses
from collatio.errors import CollatioError
from collatio.render import get_renderer
from collatio.survey.atomic import write_atomic
from collatio.survey.documents import read_witnesses
from collatio.witness import Witness

MARKER = "family.json"


@attrs.frozen(slots=True)
class FamilyTask:
    """What one family's collation needs: members as (path, siglum, digest)."""

    id: str
    members: tuple[tuple[str, str, str], ...]
    formats: tuple[str, ...]
    out: str

    @property
    def folder(self) -> str:
        return os.path.join(self.out, "families", self.id)

    def key(self) -> str:
        data = json.dumps([__version__, list(self.formats), [list(m) for m in self.members]])
        return hashlib.sha1(data.encode("utf-8")).hexdigest()


@attrs.frozen(slots=True)
class FamilyOutcome:
    """What became of one family's collation: its files (format -> path relative to OUT)."""

    id: str
    files: dict[str, str]
    units: int | None
    error: str | None
    reused: bool
    seconds: float


def _finished(task: FamilyTask) -> FamilyOutcome | None:
    marker = os.path.join(task.folder, MARKER)
    try:
        with open(marker, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != task.key():
        return None
    files = data.get("files")
    if not isinstance(files, dict) or set(files) != set(task.formats):
        return None
    if not all(os.path.isfile(os.path.join(task.out, str(p))) for p in files.values()):
        return None
    units = data.get("units")
    return FamilyOutcome(task.id, {str(k): str(v) for k, v in files.items()},
                         units if isinstance(units, int) else None, None, True, 0.0)


def _witnesses(members: Sequence[tuple[str, str, str]]) -> list[Witness]:
    """The members' witnesses, in member order, with sigla made unique in the family."""
    by_path: dict[str, tuple[Witness, ...]] = {}
    chosen: list[Witness] = []
    taken: set[str] = set()
    for path, siglum, _ in members:
        if path not in by_path:
            by_path[path] = read_witnesses(path)
        witness = next((w for w in by_path[path] if w.siglum == siglum), None)
        if witness is None:
            raise CollatioError(f"no document {siglum!r} in this file any more", path=path)
        name, n = siglum, 2
        while name in taken:
            name, n = f"{siglum}{n}", n + 1
        taken.add(name)
        chosen.append(witness if name == siglum else attrs.evolve(witness, siglum=name))
    return chosen


def collate_family(task: FamilyTask) -> FamilyOutcome:
    """Collate one family and write its files (or reuse those of an earlier run)."""
    reused = _finished(task)
    if reused is not None:
        return reused
    started = time.perf_counter()
    try:
        apparatus = collate_witnesses(_witnesses(task.members), CollationOptions())
        files: dict[str, str] = {}
        for name in task.formats:
            renderer = get_renderer(name)
            relative = os.path.join("families", task.id, f"{task.id}{renderer.extension}")
            write_atomic(os.path.join(task.out, relative), renderer.chunks(apparatus))
            files[name] = relative.replace(os.sep, "/")
        units = len(apparatus)
    except CollatioError as exc:
        return FamilyOutcome(task.id, {}, None, str(exc), False,
                             time.perf_counter() - started)
    marker = {"key": task.key(), "id": task.id, "files": files, "units": units,
              "members": [f"{path}#{siglum}" for path, siglum, _ in task.members]}
    write_atomic(os.path.join(task.folder, MARKER), json.dumps(marker, indent=1) + "\n")
    return FamilyOutcome(task.id, files, units, None, False, time.perf_counter() - started)


def collate_families(tasks: Sequence[FamilyTask]) -> list[FamilyOutcome]:
    """:func:`collate_family` for each task (one engine task)."""
    return [collate_family(task) for task in tasks]
