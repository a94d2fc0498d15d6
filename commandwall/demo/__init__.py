"""The embedded exercise backend (演练模式): a real HTTP server on 127.0.0.1 backed by SQLite, seeded from
``layers/``, with simulated incidents, units and MJPEG camera streams. It implements the backend contract
(``resources/api/openapi.yaml``); no Qt here.

    from commandwall.demo import DemoBackend
    with DemoBackend(seed=1) as backend:
        print(backend.base_url)
"""

from commandwall.demo.backend import DemoBackend, serve_forever

__all__ = ["DemoBackend", "serve_forever"]
