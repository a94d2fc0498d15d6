#!/usr/bin/env bash
# Debian packages commandwall needs on Linux: the X/xcb and GL libraries QtWebEngine loads, CJK and emoji fonts,
# Xvfb (and xrandr) for a virtual display, and for building: make, Node.js/npm for the map page's web
# assets, binutils and the shared libpython for PyInstaller; for the tests GStreamer's RTSP server and a C compiler.
# Usage: scripts/system-deps.sh [--check]   (installs what is missing when run as root; --check only lists)
set -euo pipefail

PACKAGES=(
  libasound2 libbrotli1 libdbus-1-3 libegl1 libfontconfig1 libfreetype6 libgbm1 libgl1 libglib2.0-0
  libnspr4 libnss3 libx11-6 libx11-xcb1 libxcb-cursor0 libxcb-dri3-0 libxcb-glx0 libxcb-icccm4
  libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-render0 libxcb-shape0
  libxcb-shm0 libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xkb1 libxcb1 libxcomposite1 libxdamage1
  libxext6 libxfixes3 libxkbcommon-x11-0 libxkbcommon0 libxkbfile1 libxrandr2 libxtst6
  libpulse0  # Qt Multimedia links it: the alarm sound (QSoundEffect)
  libyuv0  # the wall's pictures scaled by exact ratios (commandwall/video/yuv.py); the package carries a copy
  fonts-noto-cjk fonts-noto-color-emoji xvfb xauth x11-xserver-utils
  make python3-venv nodejs npm binutils
  # tests: a C compiler for the interpreter-lock counter the tile-paint test builds (tests/ui/test_wall_paint_gil.py)
  gcc libc6-dev
  # tests: the openssl command makes the TLS test's self-signed certificate (tests/unit/test_backend_http.py);
  # a minimal Debian has only the library (here it came with ca-certificates, which nothing asks for by name)
  openssl
  # tests: an exFAT file system (no hard links, as on a USB stick) for the snapshot test (tests/mounts.py)
  exfatprogs exfat-fuse
  # tests: a real RTSP server (GStreamer's, through the system Python's bindings) serving H.264 and H.265
  # (GstRtsp from gir1.2-gst-plugins-base-1.0: the test server prepares its streams by URL)
  python3-gi gir1.2-gst-rtsp-server-1.0 gir1.2-gst-plugins-base-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly
)
# PyInstaller (make package) needs the interpreter's shared libpython file; Debian's python3 is built shared
# but ships that file separately, as libpythonX.Y.
if command -v python3 >/dev/null 2>&1 && [ "$(python3 -c '
import os, sysconfig
libdir, soname = sysconfig.get_config_var("LIBDIR") or "", sysconfig.get_config_var("INSTSONAME") or ""
print(1 if sysconfig.get_config_var("Py_ENABLE_SHARED") and os.path.exists(os.path.join(libdir, soname)) else 0)
')" != "1" ]; then
  PACKAGES+=("libpython$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')")
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm may come with nodejs from another source: accept any working npm.
if command -v npm >/dev/null 2>&1; then
  filtered=()
  for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]}")
fi
# python3-venv is only needed when the interpreter cannot make a venv by itself.
probe=$(mktemp -d)
if python3 -m venv "$probe/venv" >/dev/null 2>&1; then
  filtered=()
  for p in "${missing[@]}"; do [[ "$p" == python3-venv ]] || filtered+=("$p"); done
  missing=("${filtered[@]}")
fi
rm -rf "$probe"

if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
if [ "${1:-}" = "--check" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "missing system packages: ${missing[*]}" >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing system packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# A machine without python3 got Debian's just now: check once more for what it needs (its libpython).
if [ -z "${COMMANDWALL_DEPS_SECOND_PASS:-}" ]; then
  COMMANDWALL_DEPS_SECOND_PASS=1 exec "$0" "$@"
fi
echo "system packages: installed"
