#!/bin/sh
# The C floor of the pkcs11 benchmark family: builds jmh/src/main/c/pkcs11-floor.c with gcc against
# the system's pkcs11.h (p11-kit) and OpenSSL's libcrypto (the SHA-256 that ECDSA on SoftHSM2 needs
# outside the token), makes a SoftHSM2 token in a private directory, and prints ops/s and CPU
# microseconds per operation (steadier than ops/s on a shared machine) for each operation at 1 and
# 2 threads, one session per thread. ecdsa-p256-token-key signs with the token object instead of
# a session copy: the floor for a backend that cannot copy objects (SunPKCS11). It also builds
# jmh/target/libpkcs11-floor.so, the same loop as a library for InJvmFloorBenchmark.
#
# usage: jmh/pkcs11-floor.sh [-w WARMUP_S] [-r MEASURE_S] [-o OUTPUT] | -b (build only)
set -eu

ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
MODULE=${PKCS11_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
HEADERS=/usr/include/p11-kit-1
warmup=2
measure=5
output=
build_only=
while getopts w:r:o:b flag; do
  case $flag in
    w) warmup=$OPTARG ;;
    r) measure=$OPTARG ;;
    o) output=$OPTARG ;;
    b) build_only=1 ;;
    *) echo "usage: $0 [-w WARMUP_S] [-r MEASURE_S] [-o OUTPUT] | -b" >&2; exit 2 ;;
  esac
done

[ -f "$MODULE" ] || { echo "pkcs11-floor: $MODULE missing (apt-get install softhsm2)" >&2; exit 2; }
[ -f "$HEADERS/p11-kit/pkcs11.h" ] || { echo "pkcs11-floor: $HEADERS/p11-kit/pkcs11.h missing (apt-get install libp11-kit-dev)" >&2; exit 2; }

[ -f /usr/include/openssl/sha.h ] || { echo "pkcs11-floor: /usr/include/openssl/sha.h missing (apt-get install libssl-dev)" >&2; exit 2; }

mkdir -p "$ROOT/jmh/target"
binary="$ROOT/jmh/target/pkcs11-floor"
gcc -O2 -Wall -I"$HEADERS" -o "$binary" "$ROOT/jmh/src/main/c/pkcs11-floor.c" -ldl -lpthread -lcrypto
# The same loop as a library for InJvmFloorBenchmark, which runs it inside a JVM.
gcc -O2 -Wall -shared -fPIC -DPKCS11_FLOOR_LIBRARY -I"$HEADERS" -o "$ROOT/jmh/target/libpkcs11-floor.so" \
  "$ROOT/jmh/src/main/c/pkcs11-floor.c" -ldl -lcrypto
[ -z "$build_only" ] || exit 0

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$work/tokens" >"$work/softhsm2.conf"
export SOFTHSM2_CONF="$work/softhsm2.conf"
pin=floor-pin-1234
softhsm2-util --init-token --free --label floor --pin "$pin" --so-pin floor-so-5678 >/dev/null

{
  echo "# C floor, $(basename "$MODULE"), ${measure}s per row after ${warmup}s warm-up"
  echo "operation threads ops/s cpu-us/op"
  for operation in aes-gcm wrap-pad unwrap-pad ecdsa-p256 ecdsa-p256-token-key rsa-pss-2048; do
    for threads in 1 2; do
      "$binary" "$MODULE" floor "$pin" "$operation" "$threads" "$warmup" "$measure"
    done
  done
} | if [ -n "$output" ]; then tee "$output"; else cat; fi
