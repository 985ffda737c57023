#!/usr/bin/env bash
# System packages the test suite needs: headless Chromium and CJK fonts (browser tests),
# unshare and ip (the Bolt smoke test runs in a private network namespace), Java 17+ and
# Maven (scripts/neo4j-test-server runs Neo4j 5.26 community from Maven Central's jars).
# Installs them with apt when missing (root needed); says what to do otherwise.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)          # Bolt smoke test: lo in a netns
command -v unshare >/dev/null 2>&1 || missing+=(util-linux)
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless) # Neo4j 5.26: Java 17 or 21
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v flock >/dev/null 2>&1 || missing+=(util-linux)
if ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then missing+=(fonts-noto-cjk); fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} (apt)…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "chanjiao tests need: ${missing[*]} — install them, e.g. sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
