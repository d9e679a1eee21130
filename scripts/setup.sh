#!/usr/bin/env bash
# Set up a fresh Debian machine for the notice pipeline: system libraries, the free CJK
# faces (and the fontconfig aliases that map the standard face names to them), LibreOffice
# for the DOCX checks, the OOXML schema validator, and the Python package with its test tools.
# Safe to run again: every step is idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

# Debian packages: WeasyPrint's Pango stack, HarfBuzz subsetting (15x faster font subsetting),
# the free CJK faces, Liberation Serif (LibreOffice's stand-in, metric for metric, for the Times
# New Roman digits of the DOCX), LibreOffice headless and poppler for the layout checks.
if ! dpkg -s libharfbuzz-subset0 fonts-noto-cjk libreoffice-writer-nogui poppler-utils \
        fonts-arphic-ukai fonts-lxgw-wenkai libpangoft2-1.0-0 libreoffice-calc-nogui \
        fonts-liberation2 >/dev/null 2>&1; then
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig \
    fonts-noto-cjk fonts-arphic-ukai fonts-lxgw-wenkai fonts-liberation2 \
    libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils
fi
# Node.js for the schema validator (this machine's image may bring its own Node.js).
command -v npm >/dev/null || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q nodejs npm

# The Fandol faces (FandolFang is the free 仿宋) ship only inside texlive-lang-chinese:
# take the .otf files out of the package without installing TeX.
FANDOL=/usr/local/share/fonts/fandol
if [ ! -f "$FANDOL/FandolFang-Regular.otf" ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && { apt-get download texlive-lang-chinese >/dev/null 2>&1 ||
     { $SUDO apt-get update -q >/dev/null && apt-get download texlive-lang-chinese >/dev/null; }; } &&
     dpkg -x texlive-lang-chinese_*.deb x)
  $SUDO mkdir -p "$FANDOL"
  $SUDO cp "$tmp"/x/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/*.otf "$FANDOL/"
  rm -rf "$tmp"
fi

# Map 方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312, 宋体 to the free faces (LibreOffice, WPS).
$SUDO install -m 644 fonts/65-gbt9704-aliases.conf /etc/fonts/conf.d/65-gbt9704-aliases.conf
fc-cache -f >/dev/null

# Microsoft's OOXML schema validator, for the DOCX tests (kept in the project's node_modules).
if [ ! -x node_modules/.bin/ooxml-validator ]; then
  npm install --no-audit --no-fund --silent
fi

# The Python package with its test tools.
python3 -m pip install -q --disable-pip-version-check -e '.[test]'
