"""A real IMAP server for the tests: Debian's Dovecot, started on a free loopback port with
a configuration of its own in a temporary folder (plain-text login, one password for every
account, each account's mail in a Maildir there). `make test` installs it (apt-get)."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
PASSWORD = "imap-secret"

CONFIG = """\
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{dir}/mail/%u
first_valid_uid = {uid}
last_valid_uid = 0
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {login_user}
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={dir}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ImapServer:
    def __init__(self) -> None:
        if not Path(DOVECOT).exists():
            pytest.fail("Dovecot is not installed: `make test` installs it (apt-get).")
        self.dir = Path(tempfile.mkdtemp(prefix="clientele-imap-"))
        self.port = free_port()
        if os.geteuid() == 0:  # root: Dovecot drops to its own users
            mail_user = pwd.getpwnam("dovecot")
            login_user = "dovenull"
        else:  # a developer's account: everything runs as them
            mail_user = pwd.getpwuid(os.geteuid())
            login_user = mail_user.pw_name
        for sub in ("run", "state", "mail", "home"):
            (self.dir / sub).mkdir()
        if os.geteuid() == 0:
            for path in (self.dir / "mail", self.dir / "home", self.dir / "state"):
                os.chown(path, mail_user.pw_uid, mail_user.pw_gid)
            os.chmod(self.dir, 0o755)
        config = self.dir / "dovecot.conf"
        config.write_text(
            CONFIG.format(
                dir=self.dir,
                uid=mail_user.pw_uid,
                gid=mail_user.pw_gid,
                user=mail_user.pw_name,
                group=mail_user.pw_name,
                login_user=login_user,
                password=PASSWORD,
                port=self.port,
            )
        )
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(config)])
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        self.stop()
        log = self.dir / "dovecot.log"
        raise RuntimeError(f"Dovecot did not start: {log.read_text() if log.exists() else ''}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.dir, ignore_errors=True)
