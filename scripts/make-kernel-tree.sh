#!/usr/bin/env bash
# Builds the real kernel tree the kernel-patch tests run against: a git repository made
# from Debian's linux-source-6.1 tarball, one commit tagged v6.1.<SUBLEVEL> as its
# Makefile says. Only what the tests use is extracted:
#   - checkpatch.pl and get_maintainer.pl: scripts/, MAINTAINERS and the top-level entries
#     both scripts look for before they run (COPYING CREDITS Kbuild Makefile README
#     Documentation arch include drivers fs init ipc kernel lib);
#   - `make drivers/pci/quirks.o` after `make allnoconfig` (or defconfig): every Kconfig
#     file (the x86 Kconfig sources most of the tree's), include/, arch/x86/, the objtool
#     sources under tools/, and the few files outside them that kbuild reads on the way
#     (defconfig also builds scripts/selinux, which wants security/selinux/include).
# The top-level .gitignore comes along as Debian ships it (it ignores everything at the
# top level), so the tests meet what a user of this tarball has.
# The tree is cached and built once: concurrent callers wait on a lock and then reuse it.
#
# Usage: scripts/make-kernel-tree.sh [CACHE_DIR]
#   prints the path of the tree. CACHE_DIR defaults to ${XDG_CACHE_HOME:-~/.cache}/quirkctl-test.
#   KERNEL_TARBALL overrides /usr/src/linux-source-6.1.tar.xz.
set -euo pipefail

tarball=${KERNEL_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
cache=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/quirkctl-test}
# Bump when the selection below changes, so old caches are not reused.
layout=4

[ -f "$tarball" ] || { echo "make-kernel-tree: no $tarball (install linux-source-6.1)" >&2; exit 2; }
mkdir -p "$cache"
key=$(stat -c '%s-%Y' "$tarball")
dest="$cache/kernel-tree-$layout-$key"

exec 9>"$cache/kernel-tree.lock"
flock 9
if [ -d "$dest/.git" ]; then
  echo "$dest"
  exit 0
fi

tmp=$(mktemp -d "$cache/.kernel-tree.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
top=$(tar -tJf "$tarball" 2>/dev/null | head -1 | cut -d/ -f1) || true
[ -n "$top" ] || { echo "make-kernel-tree: cannot read $tarball" >&2; exit 1; }

paths=(
  COPYING CREDITS Kbuild Kconfig MAINTAINERS Makefile README .mailmap .get_maintainer.ignore .gitignore
  scripts include arch/x86 drivers/pci drivers/Makefile
  tools/Makefile tools/objtool tools/include tools/lib tools/build tools/arch/x86 tools/scripts
  security/selinux/include
  kernel/bounds.c kernel/time/timeconst.bc
  Documentation/process init/Makefile ipc/Makefile fs/Makefile lib/Makefile kernel/Makefile
)
start=$SECONDS
tar -xJf "$tarball" -C "$tmp" --strip-components=1 --wildcards \
  "${paths[@]/#/$top/}" "$top/*Kconfig*"

cd "$tmp"
sublevel=$(sed -n 's/^SUBLEVEL = \([0-9]*\)$/\1/p' Makefile)
version=$(sed -n 's/^VERSION = //p' Makefile).$(sed -n 's/^PATCHLEVEL = //p' Makefile).$sublevel
export GIT_AUTHOR_NAME='Debian linux-source-6.1' GIT_AUTHOR_EMAIL='debian-kernel@lists.debian.org'
export GIT_COMMITTER_NAME=$GIT_AUTHOR_NAME GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL
# The tarball's date, so that every build of the tree has the same commit id.
stamp="@$(stat -c %Y "$tarball") +0000"
export GIT_AUTHOR_DATE=$stamp GIT_COMMITTER_DATE=$stamp
# No background gc or maintenance: a detached child would inherit the lock (fd 9).
git=(git -c init.defaultBranch=master -c core.autocrlf=false -c commit.gpgsign=false -c tag.gpgsign=false -c gc.auto=0 -c maintenance.auto=false)
"${git[@]}" init -q .
# -f: the kernel's .gitignore files name generated files, but every extracted file is source.
"${git[@]}" add -A -f .
"${git[@]}" commit -q -m "Linux $version" -m "Extracted from $(basename "$tarball") by quirkctl's scripts/make-kernel-tree.sh."
"${git[@]}" tag -a -m "Linux $version" "v$version"
# One pack: clones of it then start without the thousands of loose objects that would
# set off an automatic gc at their first commit.
"${git[@]}" repack -a -d -q
cd - >/dev/null
# Trees of an older layout or tarball are not used again.
rm -rf "$cache"/kernel-tree-*
mv "$tmp" "$dest"
trap - EXIT
echo "make-kernel-tree: v$version in $((SECONDS - start)) s: $dest" >&2
echo "$dest"
