# Sourced by the package test and the PostgreSQL 17 test: a fresh Debian root
# made with debootstrap (variant minbase) in a temporary folder, with /proc
# and /dev/shm mounted inside and unmounted when the calling script exits.
#   chroot_create SUITE "PACKAGES..."   sets CHROOT to the new root
#   in_chroot COMMAND...                runs a command as root inside it
# A root is built once per suite and package list and kept as a tarball in
# TSETP_CACHE (default /var/cache/tsetp); later runs unpack it (seconds) and
# bind the cached apt archives, so repeated runs do not download again.
# Removing TSETP_CACHE makes the next run start from nothing. Needs root.

TSETP_CACHE=${TSETP_CACHE:-/var/cache/tsetp}
CHROOT_MOUNTS=()

# The Debian mirror the host's own apt sources name (deb822 or one-line).
chroot_mirror() {
  local m
  m=$(sed -n -E -e 's,^URIs: *(https?://[^ ]+/debian)/?( .*)?$,\1,p' \
              -e 's,^deb +(\[[^]]*\] +)?(https?://[^ ]+/debian)/? .*,\2,p' \
        /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list \
        /etc/apt/sources.list 2>/dev/null | head -n1)
  echo "${m:-http://deb.debian.org/debian}"
}

chroot_umount_all() {
  local i
  for ((i = ${#CHROOT_MOUNTS[@]} - 1; i >= 0; i--)); do
    umount "${CHROOT_MOUNTS[$i]}" 2>/dev/null || umount -l "${CHROOT_MOUNTS[$i]}" 2>/dev/null || true
  done
  CHROOT_MOUNTS=()
}

chroot_cleanup() {
  chroot_umount_all
  if [ -n "${CHROOT:-}" ] && [ -d "$CHROOT" ]; then
    # Never remove a root that still has something mounted inside.
    if ! grep -q " $CHROOT/" /proc/mounts; then
      rm -rf "$CHROOT"
    else
      echo "tsetp: $CHROOT still has mounts; left in place" >&2
    fi
  fi
}

chroot_mount() {
  mount -t proc proc "$CHROOT/proc" && CHROOT_MOUNTS+=("$CHROOT/proc")
  mkdir -p "$CHROOT/dev/shm"
  mount -t tmpfs -o mode=1777 tmpfs "$CHROOT/dev/shm" && CHROOT_MOUNTS+=("$CHROOT/dev/shm")
  mkdir -p "$CHROOT/var/cache/apt/archives" "$TSETP_CACHE/apt-$1"
  mount --bind "$TSETP_CACHE/apt-$1" "$CHROOT/var/cache/apt/archives" \
    && CHROOT_MOUNTS+=("$CHROOT/var/cache/apt/archives")
  cp /etc/resolv.conf "$CHROOT/etc/resolv.conf" 2>/dev/null || true
}

in_chroot() {
  chroot "$CHROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# apt inside the root: no services started, no recommends, keep the .debs.
chroot_apt_install() {
  in_chroot apt-get install -y -q -o APT::Keep-Downloaded-Packages=true \
    --no-install-recommends "$@"
}

chroot_create() {
  local suite=$1 packages=$2 key tarball mirror
  key=$(printf '%s %s' "$suite" "$packages" | sha1sum | cut -c1-12)
  tarball="$TSETP_CACHE/root-$suite-$key.tar"
  mkdir -p "$TSETP_CACHE"
  CHROOT=$(mktemp -d /tmp/tsetp-chroot-$suite.XXXXXX)
  trap chroot_cleanup EXIT
  if [ -f "$tarball" ]; then
    tar -C "$CHROOT" -xpf "$tarball"
    chmod 755 "$CHROOT"
    chroot_mount "$suite"
    return 0
  fi
  mirror=$(chroot_mirror)
  echo "tsetp: debootstrap $suite from $mirror (cached in $TSETP_CACHE afterwards)"
  mkdir -p "$TSETP_CACHE/apt-$suite"
  debootstrap --variant=minbase --cache-dir="$TSETP_CACHE/apt-$suite" "$suite" "$CHROOT" "$mirror" \
    >"$CHROOT.debootstrap.log" 2>&1 || { tail -n 30 "$CHROOT.debootstrap.log"; rm -f "$CHROOT.debootstrap.log"; return 1; }
  rm -f "$CHROOT.debootstrap.log"
  chmod 755 "$CHROOT"
  cat >"$CHROOT/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-updates main
deb ${mirror%/debian*}/debian-security $suite-security main
EOF
  # Packages must not start services in the root, nor create a main cluster.
  printf '#!/bin/sh\nexit 101\n' >"$CHROOT/usr/sbin/policy-rc.d"
  chmod 755 "$CHROOT/usr/sbin/policy-rc.d"
  mkdir -p "$CHROOT/etc/postgresql-common"
  echo 'create_main_cluster = false' >"$CHROOT/etc/postgresql-common/createcluster.conf"
  chroot_mount "$suite"
  in_chroot apt-get update -q >/dev/null
  if [ -n "$packages" ]; then
    # shellcheck disable=SC2086
    chroot_apt_install $packages >/dev/null
  fi
  # Cache the root without what is mounted inside it.
  tar -C "$CHROOT" --one-file-system --exclude=./proc/* --exclude=./dev/shm/* \
      --exclude=./var/cache/apt/archives/* -cpf "$tarball.tmp$$" . 2>/dev/null \
    && mv "$tarball.tmp$$" "$tarball" || rm -f "$tarball.tmp$$"
}
