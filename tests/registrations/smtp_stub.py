"""A tiny SMTP server on 127.0.0.1 that refuses chosen recipients, for tests of a bouncing address.

It speaks just enough RFC 5321 for Django's SMTP backend (smtplib): EHLO/HELO, MAIL, RCPT, DATA, RSET,
NOOP, QUIT. Recipients in `refuse` get "550 no such user"; accepted messages are kept in `messages`.
"""

from __future__ import annotations

import socketserver
import threading


class SMTPStub:
    def __init__(self, refuse: set[str] | None = None) -> None:
        self.refuse = {address.lower() for address in refuse or set()}
        self.messages: list[tuple[list[str], bytes]] = []
        stub = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                def say(line: str) -> None:
                    self.wfile.write(line.encode() + b"\r\n")

                say("220 stub ESMTP")
                recipients: list[str] = []
                while line := self.rfile.readline():
                    command = line.decode(errors="replace").strip()
                    verb = command[:4].upper()
                    if verb in ("EHLO", "HELO"):
                        say("250 stub")
                    elif verb == "MAIL":
                        recipients = []
                        say("250 OK")
                    elif verb == "RCPT":
                        address = command.split(":", 1)[1].strip().strip("<>").lower()
                        if address in stub.refuse:
                            say("550 5.1.1 no such user")
                        else:
                            recipients.append(address)
                            say("250 OK")
                    elif verb == "DATA":
                        say("354 go ahead")
                        data = b""
                        while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                            data += chunk
                        stub.messages.append((recipients, data))
                        say("250 OK queued")
                    elif verb == "QUIT":
                        say("221 bye")
                        return
                    else:
                        say("250 OK")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]

    def __enter__(self) -> SMTPStub:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
