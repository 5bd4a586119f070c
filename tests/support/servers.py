"""The app served on a free port of 127.0.0.1, in a thread, as harvesters and browsers meet it."""
from __future__ import annotations

import socket
import threading
from contextlib import contextmanager

from werkzeug.serving import make_server


@contextmanager
def served(app, name="live-server"):
    """The app on a free port of 127.0.0.1, in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
