#!/usr/bin/env bash
# The whole test suite, on a fresh Debian machine (as root): installs the peers the tests need, starts a Docker
# daemon if none answers (and stops it afterwards), then builds and runs every unit and integration test. Tests
# that need a peer fail (never skip) when CI=true.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ ! -d ../shared/spec-schemas/image-spec ]; then
  echo "test: ../shared/spec-schemas is missing; the schema tests need ../shared beside the repository" >&2
fi
# Maven and the JVMs it forks in a UTF-8 locale, as the ferry launcher runs Java (a fresh Debian has LANG unset; a
# container may name a locale it lacks): see ./ferry. LocaleIT tests Ferry without one.
printf -v e '\u00e9'
case "${LC_ALL:-${LC_CTYPE:-${LANG:-}}}" in
  *.[Uu][Tt][Ff]-8|*.[Uu][Tt][Ff]8|*.[Uu][Tt][Ff]-8@*|*.[Uu][Tt][Ff]8@*) [ "${#e}" = 1 ] || export LC_ALL=C.UTF-8 ;;
  *) export LC_ALL=C.UTF-8 ;;
esac
scripts/install-peers.sh
scripts/docker-daemon.sh start
trap 'scripts/docker-daemon.sh stop' EXIT
mvn -B verify "$@"
