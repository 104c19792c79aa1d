# Sourced by ./mvnw and the launcher scripts: points JAVA_HOME at a JDK 25+ when the caller did not.
# Order: a JAVA_HOME that already is 25+, then JDKs under /usr/lib/jvm (Temurin first), newest first.

plugsky_java_feature() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p'
}

plugsky_find_jdk25() {
  if [ -n "${JAVA_HOME-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    feature=$(plugsky_java_feature "$JAVA_HOME")
    if [ "${feature:-0}" -ge 25 ]; then
      return 0
    fi
    echo "plugsky: JAVA_HOME=$JAVA_HOME is Java ${feature:-unknown}; looking for a JDK 25 instead" >&2
  fi
  # find, not a glob: mvnw runs with globbing off (set -f).
  for candidate in $(find /usr/lib/jvm -mindepth 1 -maxdepth 1 -type d 2>/dev/null | sort -V -r); do
    [ -x "$candidate/bin/javac" ] || continue
    feature=$(plugsky_java_feature "$candidate")
    if [ "${feature:-0}" -ge 25 ]; then
      JAVA_HOME=$candidate
      export JAVA_HOME
      return 0
    fi
  done
  echo "plugsky: no JDK 25 found (JAVA_HOME unset or older, nothing suitable under /usr/lib/jvm)." >&2
  echo "plugsky: install a JDK 25 (e.g. Temurin 25) and set JAVA_HOME to it." >&2
  return 1
}

plugsky_find_jdk25 || exit 1
