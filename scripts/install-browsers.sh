#!/usr/bin/env bash
# Installs Debian's Chromium and Firefox ESR for the extension and e2e tests.
# `npx playwright install` cannot fetch its own browser builds here, so the tests
# drive the distribution's browsers instead. Safe to run repeatedly: it only
# touches apt when a browser is actually missing.
set -euo pipefail

declare -A binary_of=([chromium]=/usr/bin/chromium [firefox-esr]=/usr/bin/firefox-esr)

missing=()
for pkg in chromium firefox-esr; do
  [[ -x "${binary_of[$pkg]}" ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
  echo "install-browsers: missing ${missing[*]}; run as root (or: sudo apt-get install -y ${missing[*]})" >&2
  exit 1
fi

echo "install-browsers: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Quiet apt: CI logs only need to show failures.
# No recommends: they pull in codecs the tests never use; fontconfig still brings a font.
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

for pkg in "${missing[@]}"; do
  if [[ ! -x "${binary_of[$pkg]}" ]]; then
    echo "install-browsers: $pkg installed but ${binary_of[$pkg]} is absent" >&2
    exit 1
  fi
done
echo "install-browsers: done" >&2
