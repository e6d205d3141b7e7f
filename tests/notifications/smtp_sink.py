"""A tiny SMTP server for tests: records what it accepts, can refuse, stall or hold a message."""

import socketserver
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage


@dataclass
class Hold:
    """Stop at the `number`-th DATA command (1-based), before ("data") or after ("accepted") taking it.

    `reached` is set when the sink gets there; it then waits for `release` before going on.
    """

    number: int
    stage: str
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


class SmtpSink(socketserver.ThreadingTCPServer):
    """Listens on 127.0.0.1 (a free port); every accepted message lands in `messages`."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        """Bind to a free local port; accept everything until told otherwise."""
        super().__init__(("127.0.0.1", 0), _Session)
        self.port = self.server_address[1]
        self.lock = threading.Lock()
        self.messages: list[EmailMessage] = []
        self.data_commands = 0
        # RCPT TO addresses containing a key get its reply, e.g. {"nobody@": "550 5.1.1 no such user"}.
        self.refuse_recipients: dict[str, str] = {}
        self.data_reply = "250 2.0.0 queued"
        self.hold: Hold | None = None

    def __enter__(self):
        """Serve in a background thread."""
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc):
        """Let a held session go, stop serving, close the port."""
        if self.hold is not None:
            self.hold.release.set()
        self.shutdown()
        self.server_close()

    def message_ids(self) -> list[str]:
        """The Message-ID of every accepted message, in arrival order (repeats included)."""
        with self.lock:
            return [str(message["Message-ID"]) for message in self.messages]


class _Session(socketserver.StreamRequestHandler):
    """One SMTP conversation: EHLO, MAIL, RCPT, DATA, QUIT (no TLS, no AUTH)."""

    def reply(self, line: str) -> None:
        """Send one reply line."""
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        """Answer commands until QUIT or the client goes away."""
        sink: SmtpSink = self.server
        try:
            self.reply("220 sink.test ESMTP")
            while line := self.rfile.readline():
                command = line.decode("utf-8", "replace").strip()
                verb = command[:4].upper()
                if verb in ("EHLO", "HELO"):
                    self.reply("250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8" if verb == "EHLO"
                               else "250 sink.test")
                elif verb == "MAIL":
                    self.reply("250 2.1.0 ok")
                elif verb == "RCPT":
                    refusal = next((reply for key, reply in sink.refuse_recipients.items() if key in command),
                                   None)
                    self.reply(refusal or "250 2.1.5 ok")
                elif verb == "DATA":
                    self.data(sink)
                elif verb == "QUIT":
                    self.reply("221 bye")
                    return
                else:
                    self.reply("250 ok")
        except OSError:
            return  # the client was killed or hung up

    def data(self, sink: "SmtpSink") -> None:
        """Take one message; apply the hold and the configured reply."""
        with sink.lock:
            sink.data_commands += 1
            number = sink.data_commands
        hold = sink.hold if sink.hold is not None and sink.hold.number == number else None
        if hold is not None and hold.stage == "data":
            hold.reached.set()
            hold.release.wait(30)
        self.reply("354 go ahead")
        raw = b""
        while (line := self.rfile.readline()) and line != b".\r\n":
            raw += line[1:] if line.startswith(b"..") else line
        if not line:
            return
        if not sink.data_reply.startswith("250"):
            self.reply(sink.data_reply)
            return
        # A real server takes responsibility for the message here, before its reply.
        with sink.lock:
            sink.messages.append(message_from_bytes(raw, policy=policy.default))
        if hold is not None and hold.stage == "accepted":
            hold.reached.set()
            hold.release.wait(30)
        self.reply(sink.data_reply)
