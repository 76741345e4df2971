#!/usr/bin/env bash
# Debian packages the test suite needs beyond Python: Dovecot's IMAP server for the mailbox
# tests (tests/mail/ start a throwaway instance on loopback with their own config dir and
# passwd-file user; nothing system-wide is configured or started here), and Chromium, in which
# the preview test opens the rendered page headless. Idempotent and quiet: prints one line when
# it installs something, the apt output only when that fails.
#   --if-possible   (`make test`) install only where it can (Debian/Ubuntu, as root or with
#                   password-less sudo); otherwise say in one line what is missing and go on:
#                   the tests that need it skip, saying how to install it.
set -euo pipefail

missing=()
command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ] || missing+=(dovecot-imapd)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if [ "${1:-}" = "--if-possible" ]; then
  if ! command -v apt-get >/dev/null 2>&1 || { [ -n "$SUDO" ] && ! sudo -n true 2>/dev/null; }; then
    echo "ci-system-deps: ${missing[*]} not installed (needs Debian/Ubuntu and root:" \
      "sudo scripts/ci-system-deps.sh); the tests that use them will skip"
    exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
log="$(mktemp)"
cleanup() { rm -f "$log"; }
trap cleanup EXIT

# policy-rc.d keeps the package from starting a system-wide Dovecot while it installs.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d; cleanup' EXIT
fi

if ! { $SUDO apt-get update -qq && \
       $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "ci-system-deps: could not install ${missing[*]}" >&2
  if [ "${1:-}" = "--if-possible" ]; then exit 0; fi
  exit 1
fi
echo "ci-system-deps: installed ${missing[*]}"
