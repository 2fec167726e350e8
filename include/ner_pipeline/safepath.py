"""The one way an object key (or a name from a stored file list) becomes a local path.

A key's remainder under a prefix is untrusted: whoever can write under `runs/*/train/` (the
trainer pod's credentials) chooses it. `local_path` refuses anything that would land outside
the download folder: absolute paths, '..', '.', empty segments, backslashes, NUL.
"""

from __future__ import annotations

import os
from pathlib import Path


class UnsafeKey(ValueError):
    """An object key that would write outside the folder it is downloaded into."""


def local_path(root: str | os.PathLike[str], rel: str) -> Path:
    """root / rel, for a '/'-separated relative key remainder that stays inside root."""
    parts = rel.split("/")
    if (not rel or rel.startswith("/") or "\\" in rel or "\x00" in rel
            or any(p in ("", ".", "..") for p in parts)):
        raise UnsafeKey(f"refusing object key {rel!r}: it is not a plain relative path")
    base = Path(root).resolve()
    dest = base.joinpath(*parts)
    if not dest.resolve().is_relative_to(base):  # a symlink already inside root pointing out
        raise UnsafeKey(f"refusing object key {rel!r}: it leads outside {base}")
    return dest
