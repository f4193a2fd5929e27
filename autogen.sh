#!/bin/sh
# Generates ./configure from configure.ac (needs autoconf, automake,
# autoconf-archive and pkg-config: see scripts/install-deps).
set -e
cd "$(dirname "$0")"
autoreconf --install --force
