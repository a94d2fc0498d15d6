"""Real input for the end-to-end tests on an X display: pointer and keyboard through the X server's XTest
extension (libXtst), so Qt and Chromium see the events a mouse and a keyboard make.

Text is typed one character at a time on a spare key: the key is given the character's keysym (Unicode
keysyms for Chinese, as an input method would hand over committed text), pressed and released. Qt re-reads the
keyboard map from the X server's mapping notice, which reaches it before the key event.
"""

from __future__ import annotations

import ctypes
import time

from PySide6.QtCore import QPoint

#: X keysyms of the named keys the tests press.
KEYSYMS = {"Return": 0xFF0D, "Escape": 0xFF1B, "BackSpace": 0xFF08, "F1": 0xFFBE, "F10": 0xFFC7,
           "Control_L": 0xFFE3, "l": 0x6C}


class XInput:
    """Pointer and keyboard input through XTest on the display in ``$DISPLAY``."""

    def __init__(self) -> None:
        self._x11 = ctypes.CDLL("libX11.so.6")
        self._xtst = ctypes.CDLL("libXtst.so.6")
        self._x11.XOpenDisplay.restype = ctypes.c_void_p
        self._x11.XKeysymToKeycode.restype = ctypes.c_ubyte
        self._display = ctypes.c_void_p(self._x11.XOpenDisplay(None))
        if not self._display.value:
            raise RuntimeError("cannot open the X display")
        self._spare = self._spare_keycodes()
        self._next_spare = 0

    def _sync(self) -> None:
        self._x11.XSync(self._display, 0)

    def _spare_keycodes(self) -> list[int]:
        """Keycodes the keyboard map leaves without a symbol (the server's default map has a few)."""
        low, high = ctypes.c_int(), ctypes.c_int()
        self._x11.XDisplayKeycodes(self._display, ctypes.byref(low), ctypes.byref(high))
        per = ctypes.c_int()
        self._x11.XGetKeyboardMapping.restype = ctypes.POINTER(ctypes.c_ulong)
        count = high.value - low.value + 1
        syms = self._x11.XGetKeyboardMapping(self._display, ctypes.c_ubyte(low.value), count, ctypes.byref(per))
        spare = [low.value + k for k in range(count)
                 if all(syms[k * per.value + j] == 0 for j in range(per.value))]  # fmt: skip
        self._x11.XFree(syms)
        if not spare:
            raise RuntimeError("the keyboard map has no spare keycode to type text with")
        return spare

    # ------------------------------------------------------------------ pointer

    def move(self, point: QPoint) -> None:
        """Move the pointer to ``point`` (screen pixels)."""
        self._xtst.XTestFakeMotionEvent(self._display, -1, point.x(), point.y(), 0)
        self._x11.XFlush(self._display)

    def left_button(self, down: bool) -> None:
        """Press or release the left button where the pointer is."""
        self._xtst.XTestFakeButtonEvent(self._display, 1, int(down), 0)
        self._x11.XFlush(self._display)

    # ------------------------------------------------------------------ keyboard

    def _key(self, keycode: int) -> None:
        self._xtst.XTestFakeKeyEvent(self._display, keycode, 1, 0)
        self._xtst.XTestFakeKeyEvent(self._display, keycode, 0, 0)
        self._x11.XFlush(self._display)

    def press(self, name: str) -> None:
        """Press and release a named key (:data:`KEYSYMS`) as the keyboard map has it."""
        keycode = self._x11.XKeysymToKeycode(self._display, ctypes.c_ulong(KEYSYMS[name]))
        if not keycode:
            raise RuntimeError(f"no key for {name}")
        self._key(keycode)

    def chord(self, *names: str) -> None:
        """Press the named keys in turn, then release them the other way round (``chord("Control_L", "l")``:
        Ctrl+L)."""
        codes = [self._x11.XKeysymToKeycode(self._display, ctypes.c_ulong(KEYSYMS[name])) for name in names]
        if not all(codes):
            raise RuntimeError(f"no key for one of {names}")
        for code in codes:
            self._xtst.XTestFakeKeyEvent(self._display, code, 1, 0)
        for code in reversed(codes):
            self._xtst.XTestFakeKeyEvent(self._display, code, 0, 0)
        self._x11.XFlush(self._display)

    def type_char(self, char: str) -> None:
        """Type one character on a spare key mapped to its keysym (Latin-1 keysyms are the code point, the rest
        ``0x01000000 + code point``). Call it from a loop that lets the application run between characters."""
        code = ord(char)
        keysym = code if 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xFF else 0x01000000 + code
        keycode = self._spare[self._next_spare % len(self._spare)]
        self._next_spare += 1
        syms = (ctypes.c_ulong * 2)(keysym, keysym)
        self._x11.XChangeKeyboardMapping(self._display, keycode, 2, syms, 1)
        self._sync()
        time.sleep(0.02)  # the mapping notice goes out before the key event; a breath for the server
        self._key(keycode)
