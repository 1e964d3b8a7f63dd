"""Writing outputs atomically: a reader never sees half a file, and a failure leaves the old file intact.

What :func:`write_atomic` promises, for every output qimaturity writes (reports, exports, answers files, batch
outputs and the batch manifest):

- The bytes go to a temporary file ``.NAME.<8 random characters>.part`` beside the output, which is then renamed
  over it; an interrupted write leaves the earlier output as it was. Leftover ``.part`` files of an output (from a
  run that was killed) are removed by the next write of that output in the same folder, once they are older than
  :data:`~qimaturity._core.limits.PART_FILE_GRACE_SECONDS`, so that another run writing at the same moment is not
  disturbed.
- Replacing a file keeps its permissions (a 0600 report stays 0600) and, where allowed, its owner; a new file gets
  the umask's default.
- Only regular files are written. A device (``/dev/null``), a FIFO, a socket or a folder given as the output is
  refused, never opened or replaced; so is a symlink to one of these, or a symlink to nothing. A symlink to a
  regular file is written through: its target is replaced atomically and the link stays.
- Any failure of the filesystem (read-only, no permission, a part of the path that is a file, ``/proc``, a full
  disk) is an :class:`~qimaturity._core.problems.InputError` naming the output and the reason (exit code 2).
"""

from __future__ import annotations

import errno
import io
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO, TextIO

from qimaturity._core.limits import PART_FILE_GRACE_SECONDS
from qimaturity._core.problems import InputError

_HINTS = {
    errno.EROFS: "the filesystem is read-only: choose an output in a folder you can write to",
    errno.EACCES: "no permission to write there: choose an output in a folder you can write to",
    errno.EPERM: "no permission to write there: choose an output in a folder you can write to",
    errno.ENOTDIR: "a part of the path is a file, not a folder: check the output path",
    errno.EEXIST: "a part of the path is a file, not a folder: check the output path",
    errno.ENOENT: "nothing can be created at that path: check the output path",
    errno.ENOSPC: "the disk is full: free some space or choose another folder",
    errno.EDQUOT: "the disk quota is used up: free some space or choose another folder",
}
# tempfile.mkstemp names its files PREFIX + 8 characters of this alphabet + SUFFIX.
_PART = re.compile(r"\.(?P<name>.+)\.[a-z0-9_]{8}\.part\Z")
# Leftover .part files by folder, then by output name: each folder is listed once per process, not once per write.
_LEFTOVERS: dict[str, dict[str, list[str]]] = {}


def cannot_write(path: Path | str, error: OSError) -> InputError:
    """The problem for an output the filesystem refused: the path, the system's reason and what to do."""
    reason = error.strerror or str(error)
    return InputError.single(
        str(path), f"cannot write the output: {reason}", _HINTS.get(error.errno or 0, "choose another output path")
    )


def make_output_folder(path: Path | str) -> Path:
    """Create a folder for outputs (and its parents) if missing; a folder the system refuses is an InputError."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise cannot_write(path, error) from None
    return path


def output_target(path: Path | str) -> Path:
    """The regular file that writing ``path`` replaces: ``path`` itself, or a symlink's target (which must be a
    regular file). Refuses devices, FIFOs, sockets, folders and dangling symlinks without opening them."""
    path = Path(path)
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        return path
    except OSError as error:  # e.g. a part of the path is a file
        raise cannot_write(path, error) from None
    target = path
    if stat.S_ISLNK(found.st_mode):
        try:
            target = Path(os.path.realpath(path, strict=True))
            found = os.stat(target)
        except OSError:
            raise InputError.single(
                str(path), "is a symlink to nothing (or to a path that cannot be read)", "give a regular file"
            ) from None
    if stat.S_ISREG(found.st_mode):
        return target
    what = _kind(found.st_mode) if target == path else f"a symlink to {target}, {_kind(found.st_mode)}"
    raise InputError.single(
        str(path),
        f"is {what}, not a regular file: qimaturity writes outputs only to regular files",
        "give the path of a file to write, e.g. out/report.pdf",
    )


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def utf8(text: str, name: str) -> bytes:
    """Text as UTF-8 bytes; :class:`InputError` (its file ``name``) for text that no UTF-8 file can hold."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise InputError.single(
            name,
            f"not written: the output would hold text that is not valid Unicode ({error.reason}, "
            f"{text[error.start : error.start + 1]!a})",
            "an input holds a lone surrogate escape: fix that input",
        ) from None


def write_atomic(path: Path | str, data: bytes | str) -> Path:
    """Write ``data`` to a temporary file beside ``path``, then rename it over ``path`` (see the module's
    documentation for what is kept, refused and cleaned). Returns ``path``."""
    payload = utf8(data, str(path)) if isinstance(data, str) else data
    with atomic_output(path) as stream:
        stream.write(payload)
    return Path(path)


@contextmanager
def atomic_output(path: Path | str) -> Iterator[OutputStream]:
    """A binary stream to write ``path`` piece by piece, with :func:`write_atomic`'s promises: the pieces go to a
    temporary file beside it, renamed over ``path`` when the block ends; when the block raises, the temporary
    file is removed and ``path`` stays as it was."""
    path = Path(path)
    target = output_target(path)
    folder = make_output_folder(target.parent)
    remove_leftovers(folder, target.name)
    try:
        existing: os.stat_result | None = os.stat(target)
    except OSError:
        existing = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as error:
        raise cannot_write(path, error) from None
    try:
        try:
            if existing is not None:
                os.fchmod(handle, stat.S_IMODE(existing.st_mode))
                if (existing.st_uid, existing.st_gid) != (os.geteuid(), os.getegid()):
                    _keep_owner(handle, existing)
            else:
                os.fchmod(handle, 0o666 & ~_umask())
            stream = os.fdopen(handle, "wb")
        except OSError as error:
            os.close(handle)
            raise cannot_write(path, error) from None
        with stream:
            yield OutputStream(stream, path)
            try:
                stream.flush()
                os.fsync(stream.fileno())
            except OSError as error:
                raise cannot_write(path, error) from None
        try:
            os.replace(temporary, target)
        except OSError as error:
            raise cannot_write(path, error) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_text(path: Path | str) -> Iterator[TextIO]:
    """:func:`atomic_output` for text, written as UTF-8 (text no UTF-8 file can hold is refused as
    :func:`utf8` refuses it, and nothing is written)."""
    with atomic_output(path) as binary:
        text = _Utf8Text(binary, str(path))
        yield text
        text.flush()


class OutputStream:
    """The stream :func:`atomic_output` gives: a failure to write is the output's problem (:func:`cannot_write`)."""

    def __init__(self, stream: BinaryIO, path: Path) -> None:
        self._stream = stream
        self._path = path

    def write(self, data: bytes) -> int:
        try:
            return self._stream.write(data)
        except OSError as error:
            raise cannot_write(self._path, error) from None

    # A zip archive (a workbook) is written seeking back to its entries' headers.
    def tell(self) -> int:
        return self._stream.tell()

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        try:
            return self._stream.seek(offset, whence)
        except OSError as error:
            raise cannot_write(self._path, error) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as error:
            raise cannot_write(self._path, error) from None


class _Utf8Text(io.StringIO):
    """A text stream passing each piece on as UTF-8 (a lone surrogate refused by :func:`utf8`), in chunks."""

    CHUNK = 1 << 20

    def __init__(self, binary: OutputStream, name: str) -> None:
        super().__init__()
        self._binary = binary
        self._name = name
        self._pending: list[str] = []
        self._size = 0

    def write(self, text: str) -> int:
        self._pending.append(text)
        self._size += len(text)
        if self._size >= self.CHUNK:
            self.flush()
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self._binary.write(utf8("".join(self._pending), self._name))
            self._pending = []
            self._size = 0


def _keep_owner(handle: int, existing: os.stat_result) -> None:
    # Only root may give a file away: otherwise the new file is the writer's, as any new file.
    with suppress(OSError):
        os.fchown(handle, existing.st_uid, existing.st_gid)


def remove_leftovers(folder: Path, name: str, *, grace: float = PART_FILE_GRACE_SECONDS) -> list[Path]:
    """Remove the ``.NAME.<8 random characters>.part`` files an interrupted write of ``folder/name`` left, once
    older than ``grace`` seconds (a younger one may belong to a write under way). Returns the paths removed."""
    key = os.path.abspath(folder)
    found = _LEFTOVERS.get(key)
    if found is None:
        found = _LEFTOVERS[key] = {}
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    match = _PART.match(entry.name)
                    if match:
                        found.setdefault(match.group("name"), []).append(entry.path)
        except OSError:
            pass
    removed = []
    kept = []
    now = time.time()
    for candidate in found.pop(name, []):
        try:
            info = os.lstat(candidate)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        if now - info.st_mtime < grace:
            kept.append(candidate)
            continue
        try:
            os.unlink(candidate)
            removed.append(Path(candidate))
        except OSError:
            kept.append(candidate)
    if kept:
        found[name] = kept
    return removed
