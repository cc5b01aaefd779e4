"""A TCP proxy in front of PostgreSQL that a test can cut and restore, like a network outage.

Only the server under test goes through it; the shared PostgreSQL and everyone else's
connections are never touched.
"""

import socket
import threading
from contextlib import suppress

OPEN, CUT, HANG = "open", "cut", "hang"


def _close(sock: socket.socket) -> None:
    # shutdown() first: it wakes a thread blocked in recv() on this socket; close() alone may not.
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with suppress(OSError):
        sock.close()


class TcpProxy:
    """Forwards 127.0.0.1:<port> to `target`, one pair of pump threads per connection.

    `cut()`: every open connection is closed and new ones are closed as soon as accepted (the
    client sees "server closed the connection"). `hang()`: new connections are accepted and
    never answered (a database that does not respond). `restore()`: forward again.
    """

    def __init__(self, target: tuple[str, int] = ("127.0.0.1", 5432)):
        self.target = target
        self.mode = OPEN
        self.accepted = 0
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._hung: set[socket.socket] = set()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()

    def cut(self) -> None:
        self._set_mode(CUT)

    def hang(self) -> None:
        self._set_mode(HANG)

    def restore(self) -> None:
        self._set_mode(OPEN)

    def _set_mode(self, mode: str) -> None:
        with self._lock:
            self.mode = mode
            doomed, self._hung = self._hung, set()  # never forwarded: no use once the mode changes
            if mode != OPEN:
                doomed |= self._sockets
                self._sockets = set()
        for sock in doomed:
            _close(sock)

    def close(self) -> None:
        self.cut()
        _close(self._listener)
        self._thread.join(timeout=5)

    def _track(self, *socks: socket.socket) -> bool:
        with self._lock:
            if self.mode != OPEN:
                return False
            self._sockets.update(socks)
            return True

    def _accept_loop(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            self.accepted += 1
            with self._lock:
                mode = self.mode
                if mode == HANG:
                    self._hung.add(client)
            if mode == CUT:
                _close(client)
            if mode != OPEN:
                continue
            threading.Thread(target=self._connect, args=(client,), daemon=True).start()

    def _connect(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=5)
            upstream.settimeout(None)
        except OSError:
            _close(client)
            return
        if not self._track(client, upstream):
            _close(client)
            _close(upstream)
            return
        threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()
        self._pump(client, upstream)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._sockets.discard(source)
                self._sockets.discard(sink)
            _close(source)
            _close(sink)
