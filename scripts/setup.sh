#!/usr/bin/env bash
# Installs what kms needs to build, only when missing: the Debian packages for OpenBLAS, libpng,
# readline and zlib (and pkg-config, which SwiftPM uses to find them); FreeType and the fonts figures
# are set in (DejaVu Sans; IPAex Gothic for kana, 6 MB where fonts-noto-cjk is 90 MB); and
# rsvg-convert, which the tests render SVG figures with. Sourced by run.sh and test.sh.
set -euo pipefail

kms_packages=(libopenblas-dev libpng-dev libreadline-dev zlib1g-dev pkg-config)
kms_packages+=(libfreetype-dev fonts-dejavu-core fonts-ipaexfont-gothic librsvg2-bin)
# Only the tests need these: they open an executed-notebook report in headless Chromium and run
# a sweep's trials through GNU parallel (`kms_setup tests` adds them).
kms_test_packages=(chromium parallel)

kms_missing_packages() {
  local missing=()
  for package in "${kms_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$package")
  done
  echo "${missing[@]:-}"
}

kms_setup() {
  [ "${1:-}" = "tests" ] && kms_packages+=("${kms_test_packages[@]}")
  if ! command -v swift >/dev/null 2>&1; then
    if [ -x /opt/swift/usr/bin/swift ]; then
      export PATH="/opt/swift/usr/bin:$PATH"
    else
      echo "error: swift is not installed; kms needs Swift 6 (https://www.swift.org/install/linux/)" >&2
      exit 69
    fi
  fi
  local missing
  missing=$(kms_missing_packages)
  if [ -n "$missing" ]; then
    echo "kms: installing missing Debian packages: $missing" >&2
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >&2
  fi
}
