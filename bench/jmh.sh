#!/usr/bin/env bash
# Ferry's micro-benchmarks (JMH): bench/jmh.sh [JMH options], for example bench/jmh.sh -f 1 -wi 2 -i 3 copyVerified
# Builds the module (with core) and runs JMH on it; results go to bench/jmh/target/jmh-result.txt as well.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
(cd "$root" && mvn -q -B -DskipTests -pl bench/jmh -am package)
cd "$root/bench/jmh"
java -cp "target/classes:target/lib/*" org.openjdk.jmh.Main -rf text -rff target/jmh-result.txt "$@"
