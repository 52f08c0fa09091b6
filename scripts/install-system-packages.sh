#!/usr/bin/env bash
# Installs the Debian packages the tests need besides the browsers: PostgreSQL, whose initdb and
# pg_ctl the test kit uses to start a throwaway cluster (test-kit/postgres/). Safe to run
# repeatedly: it only touches apt when the package is missing, and only as root.
set -euo pipefail

if compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
  # Not fatal here: the PostgreSQL tests themselves fail and say why (CI runs as root).
  echo "install-system-packages: PostgreSQL is missing; run as root (or: sudo apt-get install -y postgresql)" >&2
  exit 0
fi

echo "install-system-packages: installing postgresql" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# The package's own cluster is not wanted: the tests make theirs in a temporary directory.
if [[ ! -e /etc/postgresql-common/createcluster.conf ]]; then
  mkdir -p /etc/postgresql-common
  echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.conf
fi
apt-get install -y -qq --no-install-recommends postgresql >/dev/null
if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  echo "install-system-packages: postgresql installed but no initdb under /usr/lib/postgresql" >&2
  exit 1
fi
echo "install-system-packages: done" >&2
