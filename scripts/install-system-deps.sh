#!/usr/bin/env bash
# Installs the Debian packages quirkctl's tests use: the real components that every
# feature is tested against. Safe to run again; installs only what is missing.
# Usage: sudo scripts/install-system-deps.sh   (Debian 12 or newer)
set -euo pipefail

packages=(
  git ca-certificates curl build-essential bc bison flex libelf-dev libssl-dev cpio xz-utils zstd kmod fakeroot perl
  # Device names: pci.ids (lspci's database).
  pci.ids
  # Kernel patches: a real kernel tree (checkpatch.pl, get_maintainer.pl, quirks.c, MAINTAINERS).
  linux-source-6.1 codespell
  # DKMS packages: dkms against real headers, Debian and Arch packaging, the hook's linter.
  dkms linux-headers-amd64 dh-dkms debhelper dpkg-dev lintian makepkg pacman-package-manager libarchive-tools shellcheck
  # Proving a workaround in a VM: a real kernel, qemu, busybox for the initramfs.
  linux-image-amd64 qemu-system-x86 busybox-static
  # Tracking review on lore: a real public-inbox server.
  public-inbox libsearch-xapian-perl
  # Builds in containers: bubblewrap over a debootstrap root file system.
  bubblewrap debootstrap
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Debian 12's pci.ids (2023-04) predates newer devices such as Axelera's Metis (1f9d).
# Debian 13 ships a newer snapshot of the same data-only package; take it from Debian's
# archive, checked against the hash its Packages index gives.
pciids_version='0.0~2025.06.09-1'
pciids_sha256='132bc7520473e53939e277cbf4512261b8d73ae244d77c277f674ecaf174598c'
installed=$(dpkg-query -W -f='${Version}' pci.ids 2>/dev/null || true)
if dpkg --compare-versions "$installed" lt "$pciids_version"; then
  echo "updating pci.ids $installed -> $pciids_version"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  deb="$tmp/pci.ids.deb"
  curl -fsSL --retry 3 -o "$deb" "http://deb.debian.org/debian/pool/main/p/pci.ids/pci.ids_${pciids_version}_all.deb"
  echo "$pciids_sha256  $deb" | sha256sum -c --quiet -
  dpkg -i "$deb" >/dev/null
fi
echo "system dependencies ready"
