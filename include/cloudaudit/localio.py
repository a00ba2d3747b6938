"""Local files and terminal text for the command line: read only regular files, print only escaped text.

Paths and member names come from users and from hostile archives. Opening a FIFO blocks until
a writer appears, and a device never ends, so files are opened without blocking and refused
unless they are regular. Names may hold control characters (ESC sequences, a carriage return
that rewrites the line, bidi overrides that reorder it) or bytes that are not UTF-8
(``surrogateescape`` in a ``str``); :func:`escape` turns all of them into visible backslash
escapes, so a name can never forge an output line or make output invalid UTF-8.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path
from typing import BinaryIO

# C0, DEL, C1; bidi embeddings, overrides and isolates; LRM/RLM/ALM; line and paragraph separators;
# lone surrogates (undecodable bytes under surrogateescape)
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char in _SHORT:
        return _SHORT[char]
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the undecodable byte it stands for
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def escape(text: str) -> str:
    """``text`` with every control, bidi and undecodable character shown as a backslash escape.

    Idempotent (an escaped text has nothing left to escape), so it can be applied at every boundary.

    >>> escape("a\\x1b[2Kb\\nc"), escape("x\\udcffy"), escape("\\u202eexe.txt"), escape("日本.csv")
    ('a\\\\x1b[2Kb\\\\nc', 'x\\\\xffy', '\\\\u202eexe.txt', '日本.csv')
    """
    return _UNSAFE.sub(_escape_char, text)


class NotRegularFile(OSError):
    """Raised when a path names a directory, FIFO, socket or device instead of a regular file."""


_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def file_kind(mode: int) -> str:
    """What a ``st_mode`` names, in words: 'a regular file', 'a FIFO', ..."""
    if stat.S_ISREG(mode):
        return "a regular file"
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def open_regular(path: Path | str) -> BinaryIO:
    """Open ``path`` for reading if it is a regular file (symlinks followed); never blocks.

    Raises NotRegularFile (an OSError whose ``strerror`` says what it is) for anything else, and
    the usual OSError (FileNotFoundError, PermissionError, ...) when it cannot be opened. The
    check is made on the opened descriptor, so the path cannot be swapped for a FIFO in between.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(errno.EINVAL, f"is {file_kind(mode)}, not a regular file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
