"""A TCP relay between the app and PostgreSQL that a test can cut and restore, to play the
database going down (a restart, a failover, a network cut) and coming back, or going silent
(it accepts connections and never answers: a hung server, a black-holed failover address)."""

import socket
import threading


class TcpProxy:
    """Relays 127.0.0.1:<port> to (host, target_port). `cut()` closes every relayed connection
    and refuses new ones; `restore()` relays again."""

    def __init__(self, host: str, target_port: int):
        self.target = (host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._cut = False
        self._silent = False
        self._held: list[socket.socket] = []
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _address = self._listener.accept()
            except OSError:
                return
            with self._lock:
                refused, silent = self._cut, self._silent
                if silent:
                    self._held.append(client)  # accepted, kept open, never answered
            if refused:
                client.close()
                continue
            if silent:
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
                server.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open.update((client, server))
            threading.Thread(target=self._pipe, args=(client, server), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                self._close(end)

    def _close(self, end: socket.socket) -> None:
        with self._lock:
            self._open.discard(end)
        try:
            end.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        end.close()

    def cut(self) -> None:
        """The database is gone: live connections drop, new ones are refused."""
        with self._lock:
            self._cut = True
            ends = list(self._open)
        for end in ends:
            self._close(end)

    def silence(self) -> None:
        """The database hangs: live connections drop (as at a restart), new ones are accepted and
        never get a byte back."""
        self.cut()
        with self._lock:
            self._cut, self._silent = False, True

    def restore(self) -> None:
        """The database is back."""
        with self._lock:
            self._cut = self._silent = False
            held, self._held = self._held, []
        for end in held:
            end.close()

    def close(self) -> None:
        """Stop relaying for good."""
        self.restore()
        self.cut()
        self._closed = True
        self._listener.close()
