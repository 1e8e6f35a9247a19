#!/usr/bin/env bash
# Installs, only when missing, the Debian/Ubuntu packages that building and
# testing TAXII Workstation need. Non-interactive; safe to run again.
#   usage: scripts/deps.sh PACKAGE...
set -euo pipefail

need_go="1.21"
if ! command -v go >/dev/null 2>&1; then
	echo "deps: Go is not installed. Install Go $need_go or newer from https://go.dev/dl/ (the exact toolchain in go.mod is then fetched by Go itself)." >&2
	exit 1
fi

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
	cat >&2 <<MSG
deps: this system has no apt, so nothing was installed. Install by hand the equivalents of:
  C compiler and pkg-config; OpenGL, X11, Xcursor, Xrandr, Xinerama, Xi, Xxf86vm and GTK 3 development
  headers (Fyne's GL driver and the native file dialog compile against them);
  for the tests: Xvfb, xauth, ImageMagick (import), xdotool and xmllint (libxml2 utilities).
Debian/Ubuntu names: $*
MSG
	exit 1
fi

missing=()
for p in "$@"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all system packages present"
	exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		sudo="sudo"
	else
		echo "deps: missing ${missing[*]}; run as root or install sudo" >&2
		exit 1
	fi
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt_install() {
	$sudo apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"
}
# A fresh machine may have stale or empty package lists: update once and retry.
if ! apt_install; then
	$sudo apt-get -o DPkg::Lock::Timeout=600 update
	apt_install
fi
