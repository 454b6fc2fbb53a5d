"""The data folder is the owner's alone: 0700 for folders, 0600 for files.

It holds the SQLite database and its WAL (every account, session and token hash),
the secret key, and the file outbox, whose messages are working invitation and
password-reset links. Under the common umask 022 all of these would be readable by
every local user. SQLite makes its -wal and -shm files itself, and Django's file
email backend opens its files itself, so no chmod after the fact can close the gap
between creating a file and fixing it: the process umask (PRIVATE_UMASK, set by
settings before anything is written) is what makes each file private from birth.
``tighten`` fixes what an older version or another umask left behind, at start-up.

Pure Python, no Django: settings imports it before Django is configured.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

# Group and others get nothing on files and folders this process creates.
PRIVATE_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600


def private_umask() -> int:
    """Set the process umask to PRIVATE_UMASK; returns the one it replaced."""
    return os.umask(PRIVATE_UMASK)


def make_private_dir(path: Path) -> Path:
    """Create the folder (and parents) if needed, and make it the owner's only."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    _chmod(path, DIR_MODE)
    return path


def tighten(root: Path) -> int:
    """Make every folder under ``root`` 0700 and every file 0600, ``root`` included;
    returns how many modes were changed. Symbolic links are not followed: the data
    folder holds none of ours, and following one could chmod files elsewhere."""
    if not root.is_dir():
        return 0
    changed = int(_chmod(root, DIR_MODE))
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in dirs:
            changed += _chmod(Path(folder, name), DIR_MODE)
        for name in files:
            changed += _chmod(Path(folder, name), FILE_MODE)
    return changed


def _chmod(path: Path, mode: int) -> bool:
    try:
        info = path.lstat()
    except FileNotFoundError:  # a -shm file SQLite removed meanwhile
        return False
    if stat.S_ISLNK(info.st_mode) or stat.S_IMODE(info.st_mode) == mode:
        return False
    if info.st_uid != os.geteuid():
        return False  # not ours to change (a folder the operator set up)
    path.chmod(mode)
    return True
