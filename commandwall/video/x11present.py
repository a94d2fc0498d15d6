"""Pictures put straight into the wall's X windows by the decoder process (直显): a minimal ctypes binding of Xlib
and its MIT-SHM extension, and :class:`WindowPresenter`, which puts one stream's pictures into one window.

Why: painting each picture through the toolkit costs the client a wake-up, a copy into the window's back buffer and
a flush per picture per tile; at 16 tiles that was more than the decoding itself (``benchmarks/bench_wall.py``).
Here the decoding thread scales the picture straight into shared memory the X server reads (``XShmPutImage``: no
copy through the socket, no toolkit, no other thread) — ``benchmarks/bench_presentation.py`` measures it beside
bare decoding loops.

Only what that needs: a few connections per X display for all the streams of the process, each shared by up to
:data:`STREAMS_PER_CONNECTION` streams' threads (an X server takes 256 clients in all, the whole desktop's: a
connection a tile would let a wall of many screens take most of them; ``XInitThreads`` first), each sequence of
requests under the connection's lock and ending in a sync, so that an error is told to the stream that caused it;
32-bit ZPixmap images in the screen's default visual (on a depth-24 TrueColor screen of a little-endian machine
their bytes are B, G, R, X: what ``BgrxScaler`` writes). X protocol errors are recorded per connection
(:func:`last_error`) instead of Xlib's default of ending the process, so a refused ``XShmAttach`` (an X server that
cannot reach this process's shared memory: another machine, another IPC namespace) or a window the client destroyed
is an :class:`X11Error`, not an exit. Nothing here imports Qt; the libraries are loaded at first use, so a machine
without X never loads them.
"""

from __future__ import annotations

import ctypes
import threading
import time

import numpy as np

ZPIXMAP = 2
IPC_PRIVATE, IPC_CREAT, IPC_RMID = 0, 0o1000, 0
_SHM_FAILED = ctypes.c_void_p(-1).value


class X11Error(RuntimeError):
    """The X libraries, the display, MIT-SHM or an X request failed (the message says which)."""


class _XImage(ctypes.Structure):
    _fields_ = [
        ("width", ctypes.c_int), ("height", ctypes.c_int), ("xoffset", ctypes.c_int), ("format", ctypes.c_int),
        ("data", ctypes.c_void_p), ("byte_order", ctypes.c_int), ("bitmap_unit", ctypes.c_int),
        ("bitmap_bit_order", ctypes.c_int), ("bitmap_pad", ctypes.c_int), ("depth", ctypes.c_int),
        ("bytes_per_line", ctypes.c_int), ("bits_per_pixel", ctypes.c_int),
        ("red_mask", ctypes.c_ulong), ("green_mask", ctypes.c_ulong), ("blue_mask", ctypes.c_ulong),
        ("obdata", ctypes.c_void_p), ("funcs", ctypes.c_void_p * 6),
    ]  # fmt: skip


class _XShmSegmentInfo(ctypes.Structure):
    _fields_ = [("shmseg", ctypes.c_ulong), ("shmid", ctypes.c_int), ("shmaddr", ctypes.c_void_p),
                ("readOnly", ctypes.c_int)]  # fmt: skip


class _XErrorEvent(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("display", ctypes.c_void_p), ("resourceid", ctypes.c_ulong),
                ("serial", ctypes.c_ulong), ("error_code", ctypes.c_ubyte), ("request_code", ctypes.c_ubyte),
                ("minor_code", ctypes.c_ubyte)]  # fmt: skip


_ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(_XErrorEvent))


class _Libs:
    """libX11, libXext and libc with the signatures used here."""

    def __init__(self) -> None:
        try:
            self.x11 = ctypes.CDLL("libX11.so.6")
            self.xext = ctypes.CDLL("libXext.so.6")
            self.libc = ctypes.CDLL("libc.so.6", use_errno=True)
        except OSError as exc:
            raise X11Error(f"the X libraries are not installed (libX11.so.6, libXext.so.6): {exc}") from None
        dpy, win, gc, img = ctypes.c_void_p, ctypes.c_ulong, ctypes.c_void_p, ctypes.POINTER(_XImage)
        uint, c_int, ulong = ctypes.c_uint, ctypes.c_int, ctypes.c_ulong
        seg = ctypes.POINTER(_XShmSegmentInfo)
        signatures = {
            self.x11: {
                "XInitThreads": ([], c_int),
                "XOpenDisplay": ([ctypes.c_char_p], dpy),
                "XCloseDisplay": ([dpy], c_int),
                "XDefaultScreen": ([dpy], c_int),
                "XRootWindow": ([dpy, c_int], win),
                "XDefaultVisual": ([dpy, c_int], ctypes.c_void_p),
                "XDefaultDepth": ([dpy, c_int], c_int),
                "XBlackPixel": ([dpy, c_int], ulong),
                "XCreateSimpleWindow": ([dpy, win, c_int, c_int, uint, uint, uint, ulong, ulong], win),
                "XSetWindowBackgroundPixmap": ([dpy, win, ulong], c_int),
                "XMapSubwindows": ([dpy, win], c_int),
                "XMapWindow": ([dpy, win], c_int),
                "XCreateGC": ([dpy, win, ulong, ctypes.c_void_p], gc),
                "XFreeGC": ([dpy, gc], c_int),
                "XFlush": ([dpy], c_int),
                "XSync": ([dpy, c_int], c_int),
                "XFree": ([ctypes.c_void_p], c_int),
                "XSetErrorHandler": ([_ERROR_HANDLER], ctypes.c_void_p),
                "XSetWindowBackground": ([dpy, win, ulong], c_int),
                "XClearWindow": ([dpy, win], c_int),
                "XDestroyWindow": ([dpy, win], c_int),
            },
            self.xext: {
                "XShmQueryExtension": ([dpy], c_int),
                "XShmCreateImage": ([dpy, ctypes.c_void_p, uint, c_int, ctypes.c_char_p, seg, uint, uint], img),
                "XShmAttach": ([dpy, seg], c_int),
                "XShmDetach": ([dpy, seg], c_int),
                "XShmPutImage": ([dpy, win, gc, img, c_int, c_int, c_int, c_int, uint, uint, c_int], c_int),
            },
            self.libc: {
                "shmget": ([c_int, ctypes.c_size_t, c_int], c_int),
                "shmat": ([c_int, ctypes.c_void_p, c_int], ctypes.c_void_p),
                "shmdt": ([ctypes.c_void_p], c_int),
                "shmctl": ([c_int, c_int, ctypes.c_void_p], c_int),
            },
        }
        for lib, functions in signatures.items():
            for name, (argtypes, restype) in functions.items():
                function = getattr(lib, name)
                function.argtypes, function.restype = argtypes, restype


_libs: _Libs | None = None
_lock = threading.Lock()
#: how many streams' presenters share one connection to a display: few connections for a wall of many screens (the
#: X server takes 256 clients for the whole desktop), yet not every stream's put waiting behind every other's
STREAMS_PER_CONNECTION = 8
#: the connections the presenters share, by display name: [Display, presenters using it] each
_shared: dict[str, list[list]] = {}
_shared_lock = threading.Lock()
#: the latest X protocol error of each connection (by its Display pointer); None: the latest of any
_errors: dict[int | None, str] = {}
#: how long a presenter waits for a window the toolkit has just made to reach the server
WINDOW_WAIT_S = 1.0


def _on_error(display: int, event: ctypes._Pointer[_XErrorEvent]) -> int:
    """Xlib's error handler: notes the error for its connection (Xlib's own would end the process)."""
    e = event.contents
    text = f"X error {e.error_code} on request {e.request_code}.{e.minor_code} (resource {e.resourceid:#x})"
    _errors[display] = text
    _errors[None] = text
    return 0


_on_error_c = _ERROR_HANDLER(_on_error)  # kept referenced: Xlib holds only the C pointer


def libs() -> _Libs:
    """The loaded libraries (loaded at the first call; :class:`X11Error` when they are missing)."""
    global _libs
    with _lock:
        if _libs is None:
            _libs = _Libs()
            # before any display opens: the streams' threads share connections, and libXext's list of the
            # process's displays (looked up and reordered at every MIT-SHM call) is only locked in a thread-safe Xlib
            # (libX11 1.8 makes itself so when it loads; older ones, still on many desks, only when asked)
            _libs.x11.XInitThreads()
            _libs.x11.XSetErrorHandler(_on_error_c)
        return _libs


def shared_display(name: str) -> Display:
    """A connection to ``name`` for one more presenter: the least used of the process's connections to it that
    has room (:data:`STREAMS_PER_CONNECTION`), or a new one (:class:`X11Error` when it does not open); give it
    back with :func:`release_display`."""
    with _shared_lock:
        entries = _shared.setdefault(name, [])
        entry = min((e for e in entries if e[1] < STREAMS_PER_CONNECTION), key=lambda e: e[1], default=None)
        if entry is None:
            try:
                entry = [Display(name), 0]
            except X11Error:
                if not entries:
                    del _shared[name]
                raise
            entries.append(entry)
        entry[1] += 1
        return entry[0]


def release_display(display: Display) -> None:
    """One user of a :func:`shared_display` connection less: it closes with its last user."""
    with _shared_lock:
        entries = _shared.get(display.name, [])
        entry = next((e for e in entries if e[0] is display), None)
        if entry is None:
            display.close()  # not (or no longer) shared: its own
            return
        entry[1] -= 1
        if entry[1] <= 0:
            entries.remove(entry)
            if not entries:
                del _shared[display.name]
            with display.lock:
                display.close()


def last_error(display: Display | None = None) -> str | None:
    """The latest X protocol error noted on ``display`` (default: on any connection of this process), or None."""
    return _errors.get(display.handle if display is not None else None)


class Display:
    """One connection to an X server. Raises :class:`X11Error` when the display does not open or has no MIT-SHM.
    Threads that share it hold :attr:`lock` around each sequence of requests, ended by a sync (:meth:`checked_sync`
    then tells them the errors of their own requests)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.lock = threading.RLock()
        self.lib = libs()
        self.handle = self.lib.x11.XOpenDisplay(name.encode())
        if not self.handle:
            raise X11Error(f"cannot open X display {name}")
        if not self.lib.xext.XShmQueryExtension(self.handle):
            self.close()
            raise X11Error(f"X display {name} has no MIT-SHM extension")
        self.screen = self.lib.x11.XDefaultScreen(self.handle)

    def sync(self) -> None:
        """Wait until the server has handled every request sent so far (an image put has been read)."""
        self.lib.x11.XSync(self.handle, 0)

    def checked_sync(self) -> None:
        """:meth:`sync`, then :class:`X11Error` if the server refused any request since the last check."""
        self.sync()
        error = _errors.pop(self.handle, None)
        if error is not None:
            raise X11Error(error)

    def tile_windows(self, cols: int, rows: int, width: int, height: int) -> list[int]:
        """A top-level window of ``cols`` × ``rows`` tiles at (0, 0), with one mapped child window per tile (row by
        row); the children have no background, so the server never clears what is put into them."""
        x11 = self.lib.x11
        root = x11.XRootWindow(self.handle, self.screen)
        black = x11.XBlackPixel(self.handle, self.screen)
        top = x11.XCreateSimpleWindow(self.handle, root, 0, 0, cols * width, rows * height, 0, black, black)
        children = []
        for row in range(rows):
            for col in range(cols):
                child = x11.XCreateSimpleWindow(self.handle, top, col * width, row * height, width, height, 0,
                                                black, black)  # fmt: skip
                x11.XSetWindowBackgroundPixmap(self.handle, child, 0)  # None
                children.append(child)
        x11.XMapSubwindows(self.handle, top)
        x11.XMapWindow(self.handle, top)
        self.sync()
        return children

    def destroy_window(self, window: int) -> None:
        """Destroy ``window`` (any client's: the server lets any client destroy any window) and wait until done."""
        self.lib.x11.XDestroyWindow(self.handle, window)
        self.sync()

    def create_gc(self, window: int) -> int:
        """A graphics context for ``window`` (default values)."""
        return self.lib.x11.XCreateGC(self.handle, window, 0, None)

    def close(self) -> None:
        """Close the connection (the server frees its windows, contexts and shared-memory attachments)."""
        if self.handle:
            _errors.pop(self.handle, None)
            self.lib.x11.XCloseDisplay(self.handle)
            self.handle = None


class ShmImage:
    """A ``width`` × ``height`` 32-bit image in System V shared memory, attached to ``display``'s server;
    :attr:`array` is an (height, width, 4) numpy view of its pixels to write into. Raises :class:`X11Error`
    when the segment cannot be made or the server refuses to attach it."""

    def __init__(self, display: Display, width: int, height: int) -> None:
        self.display, self.width, self.height = display, width, height
        lib, handle = display.lib, display.handle
        self.info = _XShmSegmentInfo()
        visual = lib.x11.XDefaultVisual(handle, display.screen)
        depth = lib.x11.XDefaultDepth(handle, display.screen)
        self.image = lib.xext.XShmCreateImage(handle, visual, depth, ZPIXMAP, None, ctypes.byref(self.info),
                                              width, height)  # fmt: skip
        if not self.image:
            raise X11Error("XShmCreateImage failed")
        image = self.image.contents
        self._address = None
        if image.bits_per_pixel != 32:
            self._free_image()
            raise X11Error(f"the screen's images have {image.bits_per_pixel} bits per pixel, 32 needed (depth 24)")
        size = image.bytes_per_line * height
        self.info.shmid = lib.libc.shmget(IPC_PRIVATE, size, IPC_CREAT | 0o600)
        if self.info.shmid < 0:
            self._free_image()
            raise X11Error(f"shmget: {ctypes.get_errno()}")
        address = lib.libc.shmat(self.info.shmid, None, 0)
        if address == _SHM_FAILED:
            lib.libc.shmctl(self.info.shmid, IPC_RMID, None)  # made, never attached: removed now
            self._free_image()
            raise X11Error(f"shmat: {ctypes.get_errno()}")
        self.info.shmaddr, self.info.readOnly, image.data = address, 0, address
        self._address = address
        _errors.pop(handle, None)
        lib.xext.XShmAttach(handle, ctypes.byref(self.info))
        display.sync()
        # marked for removal now: the segment goes when both this process and the server have detached
        lib.libc.shmctl(self.info.shmid, IPC_RMID, None)
        error = _errors.pop(handle, None)
        if error is not None:
            self._attached = False
            self.close()
            raise X11Error(f"the X server could not attach the shared memory ({error}): is it on another machine "
                           "or in another IPC namespace?")  # fmt: skip
        self._attached = True
        pixels = (ctypes.c_uint8 * size).from_address(address)
        self.array = np.frombuffer(pixels, np.uint8).reshape(height, image.bytes_per_line // 4, 4)[:, :width]

    def put(self, window: int, gc: int, x: int = 0, y: int = 0) -> None:
        """Ask the server to copy the image into ``window`` at (``x``, ``y``). The server reads the shared memory
        when it handles the request: call :meth:`Display.sync` before writing the next picture into
        :attr:`array`."""
        self.display.lib.xext.XShmPutImage(self.display.handle, window, gc, self.image, 0, 0, x, y, self.width,
                                           self.height, 0)  # fmt: skip

    def close(self) -> None:
        """Detach the segment from the server and from this process, and free the image (the array is gone)."""
        lib, handle = self.display.lib, self.display.handle
        if self.image is None:
            return
        if getattr(self, "_attached", False) and handle:
            lib.xext.XShmDetach(handle, ctypes.byref(self.info))
            self.display.sync()
            _errors.pop(handle, None)  # a server that already dropped the window's client: nothing to detach
        if getattr(self, "_address", None):
            lib.libc.shmdt(self._address)
            self._address = None
        self._free_image()
        self.array = None  # type: ignore[assignment]

    def _free_image(self) -> None:
        """Free the XImage structure (not its pixels: they are the segment's)."""
        if self.image is not None:
            self.image.contents.data = None  # Xlib must not free the pixels
            self.display.lib.x11.XFree(self.image)
            self.image = None


class WindowPresenter:
    """One stream's pictures put into one X window (the decoder process, the stream's thread only; the connection
    is shared with a few other streams' presenters: :func:`shared_display`).

    The client names the window (its XID, made by the toolkit) and its size in device pixels; :meth:`buffer`
    gives the array the next picture is scaled into (shared memory the server reads), :meth:`put` puts it centred
    in the window. The window's background is set to black and cleared whenever the window or the picture's size
    changes, so the bars beside a picture of another aspect are black (not what the window showed before).
    :meth:`put` raises :class:`X11Error` when the server refused it (the window was destroyed under it; a put
    larger than the window is clipped, not refused): the caller stops presenting and says so. Make one with
    :meth:`connect` (:class:`X11Error` when the display cannot be used: no X, no MIT-SHM, shared memory the server
    cannot reach).
    """

    def __init__(self, display: Display) -> None:
        self.display = display
        self.window = 0
        self.size = (0, 0)
        self._gc: int | None = None
        self._image: ShmImage | None = None
        self._clear = True  # the window's bars need clearing before the next put
        self.puts = 0

    @classmethod
    def connect(cls, display_name: str) -> WindowPresenter:
        """A presenter on ``display_name`` (e.g. ``:0``), its MIT-SHM tried with a small image first."""
        display = shared_display(display_name)
        try:
            with display.lock:
                ShmImage(display, 16, 16).close()
        except X11Error:
            release_display(display)
            raise
        return cls(display)

    def target(self, window: int, size: tuple[int, int]) -> None:
        """Put the next pictures into ``window``, ``size`` (w, h) device pixels large. The toolkit may have made
        the window a moment ago on its own connection, the request still on its way to the server: a window the
        server does not know yet is asked for again for up to :data:`WINDOW_WAIT_S` (:class:`X11Error` after)."""
        if (window, size) == (self.window, self.size):
            return
        display = self.display
        lib, handle = display.lib, display.handle
        if window != self.window:
            if self._gc is not None:
                with display.lock:
                    lib.x11.XFreeGC(handle, self._gc)
                    display.sync()
                self._gc = None
            self.window = 0
            deadline = time.monotonic() + WINDOW_WAIT_S
            while True:
                with display.lock:  # not held while waiting: the other streams go on putting
                    gc = display.create_gc(window)
                    lib.x11.XSetWindowBackground(handle, window, lib.x11.XBlackPixel(handle, display.screen))
                    try:
                        display.checked_sync()
                        break
                    except X11Error:
                        lib.x11.XFreeGC(handle, gc)
                        display.sync()
                        _errors.pop(handle, None)
                if time.monotonic() >= deadline:
                    raise X11Error(f"window {window:#x} is not on the display") from None
                time.sleep(0.02)
            self._gc = gc
        self.window, self.size = window, size
        self._clear = True

    def buffer(self, shape: tuple[int, ...]) -> np.ndarray:
        """The (height, width, 4) array to scale the next picture into (made anew when the shape changes)."""
        height, width = int(shape[0]), int(shape[1])
        image = self._image
        if image is None or (image.width, image.height) != (width, height):
            with self.display.lock:
                if image is not None:
                    image.close()
                self._image = None
                self._image = ShmImage(self.display, width, height)
            self._clear = True
        return self._image.array

    @property
    def picture(self) -> np.ndarray | None:
        """The picture put last (and kept until the next is scaled into it), or None."""
        return self._image.array if self._image is not None and self.puts else None

    def put(self) -> None:
        """Put the picture in :meth:`buffer` centred into the window and wait until the server has read it."""
        image = self._image
        if image is None or not self.window or self._gc is None:
            return
        x = max(0, (self.size[0] - image.width) // 2)
        y = max(0, (self.size[1] - image.height) // 2)
        with self.display.lock:
            if self._clear:
                self.display.lib.x11.XClearWindow(self.display.handle, self.window)
                self._clear = False
            image.put(self.window, self._gc, x, y)
            self.puts += 1
            self.display.checked_sync()

    def expose(self) -> None:
        """The window was uncovered (the server cleared the uncovered part to the black background): put the last
        picture again (the bars are black already; clearing the whole window would flash what was still shown)."""
        if self.puts:
            self.put()

    def close(self) -> None:
        """Free the image and give the connection back (closed with its last presenter; the window itself is the
        client's)."""
        with self.display.lock:
            if self._image is not None:
                self._image.close()
                self._image = None
            if self._gc is not None and self.display.handle:
                self.display.lib.x11.XFreeGC(self.display.handle, self._gc)
                self.display.sync()
                _errors.pop(self.display.handle, None)  # a context of a window already gone: nothing to tell
                self._gc = None
        release_display(self.display)
