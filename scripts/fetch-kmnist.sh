#!/bin/sh
# Downloads the four official KMNIST files (Clanuwat et al. 2018; CODH, CC BY-SA 4.0) into the
# folder kms looks in, and checks each against its official md5 (the 2019-02-05 release).
#
#   scripts/fetch-kmnist.sh [FOLDER]
#
# FOLDER defaults to $KMS_DATA, else $XDG_CACHE_HOME/kms/kmnist, else ~/.cache/kms/kmnist.
# Each file is downloaded to a hidden temporary name and renamed only once its md5 matches, so
# an interrupted or offline run leaves no partial file. Files already present and correct are
# kept. The same logic lives in Swift as KMNIST.fetch (Sources/KMSData/Fetch.swift).
set -eu

base_url="http://codh.rois.ac.jp/kmnist/dataset/kmnist"
if [ $# -ge 1 ]; then
  folder=$1
elif [ -n "${KMS_DATA:-}" ]; then
  folder=$KMS_DATA
else
  case "${XDG_CACHE_HOME:-}" in
    /*) folder="$XDG_CACHE_HOME/kms/kmnist" ;;
    *) folder="$HOME/.cache/kms/kmnist" ;;
  esac
fi

for tool in curl md5sum; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "fetch-kmnist: $tool is not installed (apt-get install curl coreutils)" >&2
    exit 69
  fi
done
mkdir -p "$folder"

status=0
while read -r name md5; do
  target="$folder/$name"
  if [ -f "$target" ] && [ "$(md5sum < "$target" | cut -d' ' -f1)" = "$md5" ]; then
    echo "$name: already present, md5 ok"
    continue
  fi
  partial="$folder/.$name.partial-$$"
  trap 'rm -f "$partial"' EXIT INT TERM
  echo "$name: downloading from $base_url/"
  if ! curl --fail --silent --show-error --location --connect-timeout 20 \
      --output "$partial" "$base_url/$name"; then
    rm -f "$partial"
    echo "fetch-kmnist: could not download $base_url/$name" >&2
    echo "hint: fetching needs network access; otherwise download the four files by hand from" >&2
    echo "      $base_url/ into $folder (or any folder, then set KMS_DATA to it)" >&2
    exit 74
  fi
  actual=$(md5sum < "$partial" | cut -d' ' -f1)
  if [ "$actual" != "$md5" ]; then
    rm -f "$partial"
    echo "fetch-kmnist: $name has md5 $actual, expected $md5 (nothing was kept)" >&2
    status=65
    continue
  fi
  mv "$partial" "$target"
  echo "$name: md5 ok"
done <<'FILES'
train-images-idx3-ubyte.gz bdb82020997e1d708af4cf47b453dcf7
train-labels-idx1-ubyte.gz e144d726b3acfaa3e44228e80efcd344
t10k-images-idx3-ubyte.gz 5c965bf0a639b31b8f53240b1b52f4d7
t10k-labels-idx1-ubyte.gz 7320c461ea6c1c855c0b718fb2a4b134
FILES

if [ "$status" -eq 0 ]; then
  echo "KMNIST is in $folder"
fi
exit "$status"
