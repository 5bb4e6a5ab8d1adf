#!/usr/bin/env bash
# Runs JMH benchmarks from the test classes, e.g.: bench/jmh.sh RouterBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s
# Arguments go to org.openjdk.jmh.Main unchanged. Needs a JDK >= 21: JAVA_HOME if it qualifies, else
# /usr/lib/jvm/temurin-25-jdk-amd64, else the newest qualifying /usr/lib/jvm/*.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

java_major() { # prints the feature version of the JDK at $1, or 0
    local home=$1 version=""
    [[ -x "$home/bin/java" && -x "$home/bin/javac" ]] || { echo 0; return; }
    if [[ -r "$home/release" ]]; then
        version=$(sed -n 's/^JAVA_VERSION="\(.*\)"$/\1/p' "$home/release")
    fi
    if [[ -z "$version" ]]; then
        version=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
    fi
    version=${version#1.}           # 1.8.0 -> 8.0
    version=${version%%[.+-]*}      # 21.0.2 -> 21
    [[ "$version" =~ ^[0-9]+$ ]] && echo "$version" || echo 0
}

pick_jdk() {
    if [[ -n "${JAVA_HOME:-}" && $(java_major "$JAVA_HOME") -ge 21 ]]; then
        echo "$JAVA_HOME"; return
    fi
    if [[ $(java_major /usr/lib/jvm/temurin-25-jdk-amd64) -ge 21 ]]; then
        echo /usr/lib/jvm/temurin-25-jdk-amd64; return
    fi
    local best="" best_major=0 home major
    for home in /usr/lib/jvm/*; do
        major=$(java_major "$home")
        if (( major >= 21 && major > best_major )); then
            best=$home best_major=$major
        fi
    done
    [[ -n "$best" ]] || { echo "jmh.sh: no JDK >= 21 found (set JAVA_HOME)" >&2; return 1; }
    echo "$best"
}

JAVA_HOME=$(pick_jdk)
export JAVA_HOME
echo "jmh.sh: using JDK at $JAVA_HOME" >&2

./mvnw -q -B -o test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
exec "$JAVA_HOME/bin/java" -cp "target/test-classes:target/classes:$(cat target/cp.txt)" org.openjdk.jmh.Main "$@"
