"""A small WMTS 1.0.0 server on 127.0.0.1 for the base-map tests: an MBTiles file's tiles in GeoServer's forms.

- RESTful: ``/rest/{layer}/{style}/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}.png`` (also
  :data:`LABELS`)
- KVP: ``/wmts?SERVICE=WMTS&REQUEST=GetTile&LAYER=…&TILEMATRIXSET=…&TILEMATRIX=…&TILEROW=…&TILECOL=…``
- ``/wmts?SERVICE=WMTS&REQUEST=GetCapabilities``: :func:`capabilities_xml` for this server.

The Web Mercator set is GeoServer's ``EPSG:900913`` whose TileMatrix ids are ``EPSG:900913:<zoom>``; the
document also offers ``EPSG:4326`` and 天地图's ``c`` (latitude/longitude sets the map cannot draw). Every
request is recorded (path and the tile address it asked for, :data:`LABELS`' in ``label_tiles``); a tile
outside the file or a request in any other set, style or form answers 404; ``fail_all`` makes every tile
answer 500. The layer's default style is ``default`` unless the server is made with another (``normal``: what
many servers call it), and only that style is served.
"""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from commandwall.geo.basemaps import MBTilesReader

LAYER = "xuecheng:base"
#: A label layer of the same server (RESTful only), drawn over :data:`LAYER` (the same tiles, for the tests).
LABELS = "xuecheng:labels"
SET = "EPSG:900913"
PREFIX = "EPSG:900913:"
_ZOOM0_SCALE = 559082264.0287178
_HALF = 20037508.342789244


def _mercator_matrices(zooms: range, prefix: str) -> str:
    return "".join(
        f"<TileMatrix><ows:Identifier>{prefix}{z}</ows:Identifier>"
        f"<ScaleDenominator>{_ZOOM0_SCALE / 2**z!r}</ScaleDenominator>"
        f"<TopLeftCorner>{-_HALF!r} {_HALF!r}</TopLeftCorner><TileWidth>256</TileWidth><TileHeight>256</TileHeight>"
        f"<MatrixWidth>{2**z}</MatrixWidth><MatrixHeight>{2**z}</MatrixHeight></TileMatrix>"
        for z in zooms)


def _latlon_matrices(zooms: range, prefix: str) -> str:
    return "".join(
        f"<TileMatrix><ows:Identifier>{prefix}{z}</ows:Identifier>"
        f"<ScaleDenominator>{279541132.0143589 / 2**z!r}</ScaleDenominator>"
        f"<TopLeftCorner>90.0 -180.0</TopLeftCorner><TileWidth>256</TileWidth><TileHeight>256</TileHeight>"
        f"<MatrixWidth>{2**(z + 1)}</MatrixWidth><MatrixHeight>{2**z}</MatrixHeight></TileMatrix>"
        for z in zooms)


def capabilities_xml(origin: str, *, rest: bool = True, zooms: range = range(0, 17),
                     sets: tuple[str, ...] = ("EPSG:4326", SET), style: str = "default") -> bytes:
    """A GeoServer-like capabilities document for :data:`LAYER` at ``origin``: a RESTful tile template unless
    ``rest`` is False (then only the KVP GetTile address), the matrix sets ``sets`` linked in that order, the
    layer's default style ``style`` (after a ``night`` style that is not the default)."""
    links = "".join(f"<TileMatrixSetLink><TileMatrixSet>{name}</TileMatrixSet></TileMatrixSetLink>" for name in sets)
    template = (f'<ResourceURL format="image/png" resourceType="tile" template="{origin}/rest/{LAYER}/{{style}}/'
                '{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}.png"/>') if rest else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Capabilities xmlns="http://www.opengis.net/wmts/1.0" xmlns:ows="http://www.opengis.net/ows/1.1"
    xmlns:xlink="http://www.w3.org/1999/xlink" version="1.0.0">
  <ows:ServiceIdentification><ows:Title>城市瓦片服务</ows:Title><ows:ServiceType>OGC WMTS</ows:ServiceType>
    <ows:ServiceTypeVersion>1.0.0</ows:ServiceTypeVersion></ows:ServiceIdentification>
  <ows:OperationsMetadata>
    <ows:Operation name="GetTile"><ows:DCP><ows:HTTP><ows:Get xlink:href="{origin}/wmts?">
      <ows:Constraint name="GetEncoding"><ows:AllowedValues><ows:Value>KVP</ows:Value></ows:AllowedValues>
      </ows:Constraint></ows:Get></ows:HTTP></ows:DCP></ows:Operation>
  </ows:OperationsMetadata>
  <Contents>
    <Layer><ows:Title>other</ows:Title><ows:Identifier>other:roads</ows:Identifier>
      <Style isDefault="true"><ows:Identifier>default</ows:Identifier></Style><Format>image/jpeg</Format>
      <TileMatrixSetLink><TileMatrixSet>c</TileMatrixSet></TileMatrixSetLink></Layer>
    <Layer><ows:Title>薛城底图</ows:Title><ows:Identifier>{LAYER}</ows:Identifier>
      <Style><ows:Identifier>night</ows:Identifier></Style>
      <Style isDefault="true"><ows:Identifier>{style}</ows:Identifier></Style>
      <Format>image/jpeg</Format><Format>image/png</Format>{links}{template}
    </Layer>
    <TileMatrixSet><ows:Identifier>EPSG:4326</ows:Identifier><ows:SupportedCRS>urn:ogc:def:crs:EPSG::4326</ows:SupportedCRS>
      {_latlon_matrices(zooms, "EPSG:4326:")}</TileMatrixSet>
    <TileMatrixSet><ows:Identifier>c</ows:Identifier><ows:SupportedCRS>urn:ogc:def:crs:EPSG::4490</ows:SupportedCRS>
      {_latlon_matrices(range(1, 19), "")}</TileMatrixSet>
    <TileMatrixSet><ows:Identifier>{SET}</ows:Identifier><ows:SupportedCRS>urn:ogc:def:crs:EPSG::900913</ows:SupportedCRS>
      {_mercator_matrices(zooms, PREFIX)}</TileMatrixSet>
  </Contents>
</Capabilities>""".encode()


class WmtsServer(ThreadingHTTPServer):
    """The MBTiles file's tiles over WMTS (RESTful and KVP); ``requests`` lists every path asked for, ``tiles``
    the ``(form, z, x, y)`` of each tile request in :data:`SET`, ``served`` how many were answered 200."""

    def __init__(self, mbtiles: Path, style: str = "default") -> None:
        self.reader = MBTilesReader(mbtiles)
        self.style = style
        self.requests: list[str] = []
        self.tiles: list[tuple[str, int, int, int]] = []
        self.label_tiles: list[tuple[int, int, int]] = []
        self.served = 0
        self.fail_all = False
        self._lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _WmtsHandler)

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> WmtsServer:
        """Serve on a daemon thread."""
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.shutdown()
        self.server_close()
        self._thread.join(5)


_REST = re.compile(r"/rest/(?P<layer>[^/]+)/(?P<style>[^/]+)/(?P<set>[^/]+)/(?P<matrix>[^/]+)/(?P<row>\d+)/"
                   r"(?P<col>\d+)\.png")


class _WmtsHandler(BaseHTTPRequestHandler):
    server: WmtsServer

    def do_GET(self) -> None:
        server = self.server
        with server._lock:
            server.requests.append(self.path)
        parts = urlsplit(self.path)
        query = {k.upper(): v for k, v in parse_qsl(parts.query)}
        if parts.path == "/wmts" and query.get("REQUEST") == "GetCapabilities":
            self._answer(200, "application/xml", capabilities_xml(server.origin, style=server.style))
            return
        address = None
        if (match := _REST.fullmatch(parts.path)) is not None:
            address = ("rest", match["layer"], match["style"], match["set"], match["matrix"], match["row"],
                       match["col"])
        elif parts.path == "/wmts" and query.get("REQUEST") == "GetTile":
            address = ("kvp", query.get("LAYER"), query.get("STYLE"), query.get("TILEMATRIXSET"),
                       query.get("TILEMATRIX", ""), query.get("TILEROW", ""), query.get("TILECOL", ""))
        tile = None
        labels = address is not None and address[:2] == ("rest", LABELS)
        if (address is not None and address[1:4] in ((LAYER, server.style, SET), (LABELS, server.style, SET))
                and address[4].startswith(PREFIX)):
            zoom = address[4].removeprefix(PREFIX)
            if zoom.isdigit() and address[5].isdigit() and address[6].isdigit():
                z, y, x = int(zoom), int(address[5]), int(address[6])
                with server._lock:
                    if labels:
                        server.label_tiles.append((z, x, y))
                    else:
                        server.tiles.append((address[0], z, x, y))
                tile = None if server.fail_all else server.reader.tile(z, x, y)
        if server.fail_all and address is not None:
            self._answer(500, "text/plain", b"tile store unavailable")
            return
        if tile is None:
            self._answer(404, "text/plain", b"no such tile")
            return
        with server._lock:
            server.served += 1
        self._answer(200, tile[1], tile[0])

    def _answer(self, status: int, mime: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", mime)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass
