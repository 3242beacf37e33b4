# Imported at start-up by every Python whose PYTHONPATH begins with this folder (the batch, its
# workers and kernels): takes away what Windows does not have, so the test sees a Windows-like POSIX.
"""A Windows-like Python on Linux, for tests/test_windows_like.py.

Removed: the ``fcntl`` module, ``os.fork``/``forkpty``/``pread``/``pwrite``/``killpg``/
``register_at_fork``, the ``fork`` and ``forkserver`` start methods of :mod:`multiprocessing`
(only ``spawn`` remains) and Unix-domain sockets (``socket.AF_UNIX`` is gone and a socket of that
family is refused; ``socket.socketpair`` is the loopback-TCP pair Windows uses).
"""
import os
import socket
import sys

try:  # psutil's Linux backend reads socket.AF_UNIX at import (its Windows backend does not)
    import psutil  # noqa: F401
except ImportError:  # pragma: no cover
    pass

sys.modules["fcntl"] = None  # type: ignore[assignment]  # `import fcntl` raises ImportError

for _name in ("fork", "forkpty", "pread", "pwrite", "killpg", "register_at_fork"):
    if hasattr(os, _name):
        delattr(os, _name)

_AF_UNIX = int(socket.AF_UNIX)
del socket.AF_UNIX
if "AF_UNIX" in socket.__all__:
    socket.__all__.remove("AF_UNIX")
_socket_init = socket.socket.__init__


def _no_unix_sockets(self, family=-1, type=-1, proto=-1, fileno=None):
    if fileno is None and family == _AF_UNIX:
        raise OSError(97, "Address family not supported (windows-like test: no AF_UNIX)")
    _socket_init(self, family, type, proto, fileno)


def _tcp_socketpair(family=socket.AF_INET, type=socket.SOCK_STREAM, proto=0):
    """A connected pair of loopback TCP sockets (what ``socket.socketpair`` is on Windows)."""
    listener = socket.socket(family, type, proto)
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        client = socket.socket(family, type, proto)
        client.connect(listener.getsockname())
        server, _ = listener.accept()
    finally:
        listener.close()
    return server, client


socket.socket.__init__ = _no_unix_sockets
socket.socketpair = _tcp_socketpair

import multiprocessing  # noqa: E402
import multiprocessing.context as _mp_context  # noqa: E402

_real_get_context = _mp_context.DefaultContext.get_context


def _get_context(self, method=None):
    if method in ("fork", "forkserver"):
        raise ValueError(f"cannot find context for {method!r}")
    return _real_get_context(self, method or "spawn")


_mp_context.DefaultContext.get_all_start_methods = lambda self: ["spawn"]
_mp_context.DefaultContext.get_context = _get_context
_mp_context._default_context.set_start_method("spawn", force=True)
for _name in ("get_all_start_methods", "get_context", "get_start_method", "set_start_method"):
    setattr(multiprocessing, _name, getattr(_mp_context._default_context, _name))
