#!/bin/sh
# Where the CPU of a PKCS#11 operation or of an HSM-held key's TLS handshake goes, per shared
# object, with perf (run as root, or with perf_event_paranoid <= 1). Two profiles of 5 s each, taken
# in steady state (the C loop after 3 s, the JMH fork from its first measurement iteration), at
# 999 Hz with call graphs; each one's busiest thread (the C worker, the JMH worker) is split by
# shared object and scaled to its CPU microseconds per operation (the floor's own figure and the
# WorkerCpuProfiler's, both taken under perf, which inflates them alike by a few per cent). Both
# run on the same CPU (CPU, 0 by default): on the shared VM one vCPU was at times about 45% slower
# than the other for the same C loop, with no steal time reported.
#
#   jmh/perf-attribution.sh pkcs11 OPERATION   C floor (jmh/pkcs11-floor.c) against the ffm backend
#                                              in JMH; OPERATION: aes-gcm, wrap-pad, unwrap-pad, ecdsa-p256
#   jmh/perf-attribution.sh tls                HsmHandshakeBenchmark: P-256 key in a file against in SoftHSM2
#
# Needs the thin jar (./mvnw -o -pl cli -am package -DskipTests), perf, gcc, softhsm2 and
# libp11-kit-dev. Profiles and the reports (perf report --sort dso,sym on a profile gives the
# symbols) stay in jmh/target/perf-attribution/.
set -eu

ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
MODULE=${PKCS11_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
CPU=${CPU:-0}
OUT=$ROOT/jmh/target/perf-attribution
# The benchmarks' own fork flags (a command-line -jvmArgsAppend replaces the annotation's), plus
# frame pointers and a perf map so JIT-compiled frames have names.
FORK_FLAGS="--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xms1g -Xmx1g -XX:+AlwaysPreTouch -XX:+PreserveFramePointer -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit"

usage() {
  echo "usage: $0 pkcs11 aes-gcm|wrap-pad|unwrap-pad|ecdsa-p256 | $0 tls" >&2
  exit 2
}

command -v perf >/dev/null || { echo "perf-attribution: perf is missing" >&2; exit 2; }
[ -f "$ROOT/cli/target/plugsky-crypto.jar" ] || { echo "perf-attribution: build the thin jar first (./mvnw -o -pl cli -am package -DskipTests)" >&2; exit 2; }
mkdir -p "$OUT"

# The JMH fork of benchmark $1 (JMH parameters after it) profiled from its first measurement
# iteration; prints "CPU-us-per-op" and leaves $OUT/$name.data.
profile_jmh() {
  name=$1
  shift
  taskset -c "$CPU" "$JAVA" -cp "$ROOT/cli/target/plugsky-crypto.jar:$ROOT/cli/target/lib/*" org.openjdk.jmh.Main "$@" \
    -f 1 -wi 5 -w 2s -i 4 -r 2s -prof com.plugsky.crypto.bench.pkcs11.WorkerCpuProfiler \
    -jvmArgsAppend "$FORK_FLAGS" >"$OUT/$name.jmh.txt" 2>&1 &
  launcher=$!
  until grep -q '^Iteration   1' "$OUT/$name.jmh.txt" 2>/dev/null; do
    kill -0 "$launcher" 2>/dev/null || { cat "$OUT/$name.jmh.txt" >&2; exit 1; }
    sleep 0.2
  done
  fork=$(pgrep -f -P "$launcher" ForkedMain | head -1)
  perf record -q -F 999 -g -o "$OUT/$name.data" -p "$fork" -- sleep 5 >/dev/null 2>&1
  wait "$launcher"
  awk '/:cpu[.]us[/]op +[a-z]/ { print $(NF - 3) }' "$OUT/$name.jmh.txt"
}

# The C floor for operation $1, one thread, profiled for 5 s after 3 s; prints CPU-us-per-op.
profile_floor() {
  operation=$1
  binary=$OUT/pkcs11-floor
  gcc -O2 -fno-omit-frame-pointer -Wall -I/usr/include/p11-kit-1 -o "$binary" \
    "$ROOT/jmh/src/main/c/pkcs11-floor.c" -ldl -lpthread -lcrypto
  work=$(mktemp -d)
  mkdir "$work/tokens"
  printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$work/tokens" >"$work/softhsm2.conf"
  SOFTHSM2_CONF="$work/softhsm2.conf" softhsm2-util --init-token --free --label floor --pin floor-pin-1234 \
    --so-pin floor-so-5678 >/dev/null
  SOFTHSM2_CONF="$work/softhsm2.conf" taskset -c "$CPU" "$binary" "$MODULE" floor floor-pin-1234 "$operation" 1 2 8 >"$OUT/floor.txt" &
  floor=$!
  sleep 3
  perf record -q -F 999 -g -o "$OUT/floor-$operation.data" -p "$floor" -- sleep 5 >/dev/null 2>&1
  wait "$floor"
  rm -rf "$work"
  awk '{ print $4 }' "$OUT/floor.txt"
}

# Microseconds per operation of each shared object on the busiest thread of profile $1, whose
# thread spent $2 CPU microseconds per operation: lines "object us".
by_object() {
  perf report -i "$1" --no-children -n --sort pid,dso --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' |
    awk -v us="$2" '
      { n[NR] = $2; t[NR] = $3; o = $4; for (i = 5; i <= NF; i++) o = o " " $i; obj[NR] = o; per[$3] += $2 }
      END {
        for (k in per) if (per[k] > best) { best = per[k]; thread = k }
        for (i = 1; i <= NR; i++) if (t[i] == thread) {
          o = obj[i]; sub(/ \(deleted\)$/, "", o)
          if (o ~ /^\[JIT\]/) o = "JIT-compiled Java, FFM stubs"
          if (o ~ /tcnative/) o = "netty-tcnative (BoringSSL)"
          sum[o] += us * n[i] / best
        }
        for (o in sum) printf "%s\t%.1f\n", o, sum[o]
      }'
}

# A markdown table of two by_object results: $1 $2 the first profile and its us/op, $3 $4 the
# second, $5 $6 their column names.
table() {
  by_object "$1" "$2" >"$OUT/left.tsv"
  by_object "$3" "$4" >"$OUT/right.tsv"
  echo "| shared object | $5 (us/op) | $6 (us/op) | difference |"
  echo "| --- | ---: | ---: | ---: |"
  awk -F '\t' '
    NR == FNR { left[$1] = $2; all[$1] = 1; next }
    { right[$1] = $2; all[$1] = 1 }
    END {
      for (o in all) if (left[o] + right[o] >= 0.1) printf "| %s | %.1f | %.1f | %+.1f |\n", o, left[o], right[o], right[o] - left[o]
    }' "$OUT/left.tsv" "$OUT/right.tsv" | sort -t '|' -k3,3nr -k4,4nr
  awk -F '\t' 'NR == FNR { l += $2; next } { r += $2 } END { printf "| total | %.1f | %.1f | %+.1f |\n", l, r, r - l }' \
    "$OUT/left.tsv" "$OUT/right.tsv"
}

case "${1-}" in
  pkcs11)
    [ $# -eq 2 ] || usage
    case $2 in
      aes-gcm) benchmark=aesGcmEncrypt1KiB ;;
      wrap-pad) benchmark=wrapKeyPad32 ;;
      unwrap-pad) benchmark=unwrapKeyPad32 ;;
      ecdsa-p256) benchmark=ecdsaP256Sign ;;
      *) usage ;;
    esac
    floor_us=$(profile_floor "$2")
    ffm_us=$(profile_jmh "ffm-$2" "pkcs11.OneThread.$benchmark\$" -p backend=ffm)
    echo "# $2, one thread: C floor $floor_us us/op, ffm in JMH $ffm_us us/op (CPU, under perf)"
    table "$OUT/floor-$2.data" "$floor_us" "$OUT/ffm-$2.data" "$ffm_us" "C floor" "ffm"
    ;;
  tls)
    [ $# -eq 1 ] || usage
    file_us=$(profile_jmh tls-file HsmHandshakeBenchmark -p key=file-ec-p256)
    hsm_us=$(profile_jmh tls-hsm HsmHandshakeBenchmark -p key=hsm-ec-p256)
    echo "# full TLS 1.3 handshakes, P-256 server key: file $file_us us/op, SoftHSM2 $hsm_us us/op (CPU, under perf)"
    table "$OUT/tls-file.data" "$file_us" "$OUT/tls-hsm.data" "$hsm_us" "file key" "HSM key"
    ;;
  *) usage ;;
esac
