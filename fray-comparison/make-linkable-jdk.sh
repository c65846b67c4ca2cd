#!/usr/bin/env bash
# make-linkable-jdk.sh — prepare the JDK 25 that Fray's prepare-fray goal links its instrumented JDK from.
#
#   fray-comparison/make-linkable-jdk.sh [JDK25]     prints JDK25_HOME=...; export that for the Fray build
#
# prepare-fray runs `jlink --module-path $JDK25_HOME/jmods --add-modules ALL-MODULE-PATH`. A JDK 25 with a
# jmods/ directory can be used as it is (the script just prints it). Some builds (Temurin 25, for one)
# ship without jmods/ and link from their run-time image instead; for those the script makes a shadow
# JDK home: bin/, lib/ and the rest are links to the real JDK, and jmods/ holds one synthetic module
# that requires every JDK module except jdk.jlink and jdk.jpackage (which a link from the run-time
# image may not include). jlink then resolves that module and takes the JDK's modules from the
# run-time image. The result is a full JDK minus jlink/jpackage.
#
# The JDK 25: the argument, else $SRC_JDK, else $JAVA_HOME if it is a 25, else the first JDK 25 under
# /usr/lib/jvm (or $VTB_JDK_ROOT). Output: fray-comparison/target/jdk25-linkable (so `mvn clean` removes
# it: run this again after a clean).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
OUT=$here/target/jdk25-linkable

jdk_major() {
  [ -x "$1/bin/javac" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

SRC=${1:-${SRC_JDK:-}}
if [ -z "$SRC" ] && [ -n "${JAVA_HOME:-}" ] && [ "$(jdk_major "$JAVA_HOME")" = 25 ]; then SRC=$JAVA_HOME; fi
if [ -z "$SRC" ]; then
  for d in "${VTB_JDK_ROOT:-/usr/lib/jvm}"/*/; do
    d=${d%/}
    [ -L "$d" ] && continue
    if [ "$(jdk_major "$d")" = 25 ]; then SRC=$d; break; fi
  done
fi
if [ -z "$SRC" ] || [ "$(jdk_major "$SRC")" != 25 ]; then
  echo "make-linkable-jdk.sh: no JDK 25 found (${SRC:-none given}); pass its home as the argument" >&2
  exit 1
fi
SRC=$(cd "$SRC" && pwd -P)

if [ -f "$SRC/jmods/java.base.jmod" ]; then
  echo "make-linkable-jdk.sh: $SRC has jmods/: use it as it is" >&2
  echo "JDK25_HOME=$SRC"
  exit 0
fi

rm -rf "$OUT"
mkdir -p "$OUT/jmods"
for f in "$SRC"/*; do
  [ "$(basename "$f")" = jmods ] || ln -s "$f" "$OUT/$(basename "$f")"
done
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/src/fray.alljdk" "$W/classes"
{
  echo "module fray.alljdk {"
  "$SRC/bin/java" --list-modules | sed 's/@.*//' | grep -vx 'java.base\|jdk.jlink\|jdk.jpackage' | sed 's/.*/  requires &;/'
  echo "}"
} > "$W/src/fray.alljdk/module-info.java"
# -Xlint:-removal: some JDK modules are deprecated for removal; requiring them is what we want here.
"$SRC/bin/javac" -Xlint:-removal -d "$W/classes" "$W/src/fray.alljdk/module-info.java" >&2
"$SRC/bin/jmod" create --class-path "$W/classes" "$OUT/jmods/fray.alljdk.jmod"
echo "JDK25_HOME=$OUT"
