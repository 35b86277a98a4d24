"""The unprivileged account the daemons run as.

PostgreSQL refuses to run as root, and none of the daemons needs privileges (all ports are
above 1024), so when obsgen runs as root they run as the system user `obsgen`; otherwise as
the invoking user.
"""

from __future__ import annotations

import dataclasses
import grp
import os
import pwd
import shutil
import stat
import subprocess
from pathlib import Path

SERVICE_USER = "obsgen"


class AccountError(RuntimeError):
    pass


@dataclasses.dataclass(frozen=True)
class Account:
    name: str
    uid: int
    gid: int

    @classmethod
    def from_passwd(cls, entry: pwd.struct_passwd) -> Account:
        return cls(name=entry.pw_name, uid=entry.pw_uid, gid=entry.pw_gid)


def current_account() -> Account:
    return Account.from_passwd(pwd.getpwuid(os.geteuid()))


def daemon_account(create: bool = True) -> Account:
    if os.geteuid() != 0:
        return current_account()
    try:
        return Account.from_passwd(pwd.getpwnam(SERVICE_USER))
    except KeyError:
        if not create:
            raise AccountError(f"system user {SERVICE_USER!r} does not exist") from None
    _create_system_user(SERVICE_USER)
    return Account.from_passwd(pwd.getpwnam(SERVICE_USER))


def _create_system_user(name: str) -> None:
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    command = [useradd, "--system", "--no-create-home", "--home-dir", "/nonexistent",
               "--shell", "/usr/sbin/nologin"]
    try:
        grp.getgrnam(name)
        command += ["--gid", name]
    except KeyError:
        command += ["--user-group"]
    result = subprocess.run(command + [name], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise AccountError(f"cannot create system user {name!r}: {result.stderr.strip()}")


def give_to(path: Path, account: Account) -> None:
    """Make account own path (and, for a directory, everything below it)."""
    if os.geteuid() != 0:
        return
    for current in [path, *(path.rglob("*") if path.is_dir() else [])]:
        info = current.lstat()
        if (info.st_uid, info.st_gid) != (account.uid, account.gid):
            os.lchown(current, account.uid, account.gid)


def check_traversable(path: Path, account: Account) -> None:
    """Fail clearly when account cannot reach path (e.g. a state dir under a 0700 home)."""
    if account.uid == 0 or account.uid == os.geteuid():
        return
    for directory in [*reversed(path.parents), path]:
        if not directory.exists():
            break
        info = directory.stat()
        if info.st_uid == account.uid:
            allowed = info.st_mode & stat.S_IXUSR
        elif info.st_gid == account.gid:
            allowed = info.st_mode & stat.S_IXGRP
        else:
            allowed = info.st_mode & stat.S_IXOTH
        if not allowed:
            raise AccountError(
                f"user {account.name!r} cannot enter {directory} (mode {stat.filemode(info.st_mode)}); "
                f"choose a state directory it can reach (--state-dir) or make the directory traversable"
            )
