# Sourced by ./bsg, scripts/test and .ci/run: finds a JDK 21+ and prepares the Maven wrapper.

bsg_java_version() { # prints the feature version of the java at $1, or 0
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p' | head -n1
}

bsg_find_jdk() {
  local candidates=() c v
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  command -v java >/dev/null 2>&1 && candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  for c in /usr/lib/jvm/* /Library/Java/JavaVirtualMachines/*/Contents/Home "$HOME"/.sdkman/candidates/java/*; do
    [ -d "$c" ] && candidates+=("$c")
  done
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    v=$(bsg_java_version "$c/bin/java")
    if [ "${v:-0}" -ge 21 ]; then echo "$c"; return 0; fi
  done
  return 1
}

if ! BSG_JDK=$(bsg_find_jdk); then
  echo "bsg: no JDK 21 or newer found (looked at JAVA_HOME, PATH and /usr/lib/jvm)." >&2
  echo "bsg: install one, e.g. 'apt-get install openjdk-21-jdk' or Temurin 21+, or set JAVA_HOME to it." >&2
  exit 1
fi
export JAVA_HOME="$BSG_JDK"
export PATH="$JAVA_HOME/bin:$PATH"

# The wrapper downloads Maven from the same repository Maven itself uses by default.
bsg_super_pom() { # prints Maven's super POM from a maven-model-builder jar, with unzip or else the JDK's jar tool
  if command -v unzip >/dev/null 2>&1; then unzip -p "$1" org/apache/maven/model/pom-4.0.0.xml 2>/dev/null; return; fi
  local tmp; tmp=$(mktemp -d)
  (cd "$tmp" && "$JAVA_HOME/bin/jar" xf "$1" org/apache/maven/model/pom-4.0.0.xml 2>/dev/null && cat org/apache/maven/model/pom-4.0.0.xml)
  rm -rf "$tmp"
}
if [ -z "${MVNW_REPOURL:-}" ]; then
  for jar in /usr/share/maven/lib/maven-model-builder-*.jar "$HOME"/.m2/wrapper/dists/*/*/lib/maven-model-builder-*.jar "$HOME"/.m2/wrapper/dists/*/*/*/lib/maven-model-builder-*.jar; do
    [ -f "$jar" ] || continue
    url=$(bsg_super_pom "$jar" | grep -m1 -o '<url>[^<]*</url>' | sed 's/<[^>]*>//g')
    if [ -n "$url" ]; then export MVNW_REPOURL="$url"; break; fi
  done
  if [ -z "${MVNW_REPOURL:-}" ] && ! ls "$HOME"/.m2/wrapper/dists/apache-maven-* >/dev/null 2>&1; then
    echo "bsg: can't tell which Maven repository to fetch Maven from: install Maven (apt-get install maven)" >&2
    echo "bsg: or set MVNW_REPOURL to your Maven repository's URL" >&2
  fi
fi

if [ "$(bsg_java_version "$JAVA_HOME/bin/java")" -ge 24 ]; then
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED"
fi

# True when the server's distribution in the checkout at $1 is missing or older than its sources.
# The JVM options `bsg serve` runs with, one per line: server/jvm.options (a collector named in the extra
# options $2 replaces the file's, with its G1 tuning: the JVM refuses two collectors), and a 1 GiB heap bound where no cgroup memory limit
# exists (in a container the file's share of the limit applies). Used by the launcher and the benchmarks.
bsg_serve_jvm_options() {
  local root="$1" extra="${2:-}" limit
  if [[ "$extra" == *-XX:+Use*GC* ]]; then
    grep -v -e '^#' -e '^[[:space:]]*$' -e '^-XX:+Use.*GC$' -e '^-XX:GCTimeRatio=' "$root/server/jvm.options"
  else
    grep -v -e '^#' -e '^[[:space:]]*$' "$root/server/jvm.options"
  fi
  limit=$(cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || echo max)
  if [ "$limit" = max ] || [ "${#limit}" -gt 15 ]; then echo -Xmx1g; fi
}

bsg_stale() {
  local root="$1" server="$1/server/target/bsg-server.jar"
  [ ! -f "$root/cli/target/bsg.jar" ] || [ ! -f "$server" ] && return 0
  [ -n "$(find "$root"/pom.xml "$root"/protocol "$root"/identity "$root"/simulator "$root"/gateway "$root"/cli "$root"/server \
      \( -path '*/src/main/*' -o -name 'pom.xml' \) -newer "$server" -not -path '*/target/*' -print -quit 2>/dev/null)" ]
}
