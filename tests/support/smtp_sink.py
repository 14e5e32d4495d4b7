#!/usr/bin/python3
"""smtp_sink.py - a real SMTP server for the mail tests (Debian's aiosmtpd).

Listens on 127.0.0.1:PORT and writes each message it accepts into DIR as
<n>.eml (the bytes received) and <n>.json (envelope sender, recipients,
whether the session was encrypted and authenticated, and the message as
mail_read.py reads it). With --tls CERT KEY it
offers STARTTLS and requires it; with --auth USER:PASSWORD it requires
AUTH (PLAIN or LOGIN) over TLS. Prints "ready" once it listens, and runs
until SIGTERM.
"""
import argparse
import asyncio
import json
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mail_read import read  # noqa: E402


class Sink:
    def __init__(self, directory):
        self.directory = directory
        # A sink started again goes on numbering where the last one stopped.
        self.count = len([n for n in os.listdir(directory) if n.endswith(".eml")])
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            n = self.count
        base = os.path.join(self.directory, "%d" % n)
        raw = envelope.original_content or envelope.content
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "authenticated": bool(session.authenticated),
            "message": read(raw),
        }
        for suffix, data in ((".eml", raw), (".json", json.dumps(meta).encode())):
            with open(base + suffix + ".tmp", "wb") as f:
                f.write(data)
            os.rename(base + suffix + ".tmp", base + suffix)
        return "250 Message accepted for delivery"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--auth", metavar="USER:PASSWORD")
    a = p.parse_args()

    kwargs = {}
    if a.tls:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.tls[0], a.tls[1])
        kwargs.update(tls_context=ctx, require_starttls=True)
    if a.auth:
        user, password = a.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, data):
            ok = (isinstance(data, LoginPassword) and data.login.decode() == user
                  and data.password.decode() == password)
            return AuthResult(success=ok)

        kwargs.update(auth_required=True, authenticator=authenticator,
                      auth_require_tls=bool(a.tls))
    controller = Controller(Sink(a.dir), hostname="127.0.0.1", port=a.port,
                            server_hostname="localhost", ready_timeout=30, **kwargs)
    controller.start()
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
