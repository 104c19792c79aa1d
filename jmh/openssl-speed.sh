#!/bin/sh
# openssl speed reference for the aes-gcm family: AES-256-GCM encryption in C (libcrypto) at the
# benchmark's sizes, printed as a markdown table in MB/s (10^6 bytes per second).
#
# Usage: jmh/openssl-speed.sh [-o RAW.txt] [extra openssl speed flags]
#   -o RAW.txt   also save openssl's machine-readable output, for
#                ./bench report RESULT.json --openssl RAW.txt
#   extra flags  passed to every openssl speed call, e.g. -elapsed (wall-clock time, as JMH
#                measures; openssl's default is CPU time) or -aead (init + 13-byte AAD + tag per
#                message, closer to one Aead.encrypt than the default streaming updates)
# Environment: OPENSSL_SPEED_SECONDS (default 3) per size.
set -eu

raw=""
if [ "${1-}" = -o ]; then
  [ $# -ge 2 ] || { echo "openssl-speed.sh: -o needs a file name" >&2; exit 2; }
  raw=$2
  shift 2
fi
seconds=${OPENSSL_SPEED_SECONDS:-3}
command -v openssl >/dev/null 2>&1 || { echo "openssl-speed.sh: openssl is not installed" >&2; exit 1; }

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT INT TERM

for size in 64 1024 16384 1048576; do
  # -mr: machine-readable lines (+H:size, +F:n:name:bytes-per-second); the progress goes to stderr.
  openssl speed -mr -seconds "$seconds" -evp aes-256-gcm -bytes "$size" "$@" 2>/dev/null |
    grep -E '^\+(H|F):' >>"$tmp" ||
    { echo "openssl-speed.sh: openssl speed failed for $size bytes" >&2; exit 1; }
done

if [ -n "$raw" ]; then
  cp "$tmp" "$raw"
fi

echo "\`openssl speed -seconds $seconds -evp aes-256-gcm -bytes N${*:+ $*}\` (run with -mr; $(openssl version))"
echo
echo "| size | algorithm | MB/s | ops/s |"
echo "| ---: | --- | ---: | ---: |"
awk -F: '
  $1 == "+H" { size = $2 }
  $1 == "+F" {
    if (size >= 1048576 && size % 1048576 == 0) label = size / 1048576 " MiB"
    else if (size >= 1024 && size % 1024 == 0) label = size / 1024 " KiB"
    else label = size " B"
    printf "| %s | %s | %.1f | %.0f |\n", label, $3, $4 / 1e6, $4 / size
  }
' "$tmp"
