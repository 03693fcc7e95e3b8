# shellcheck shell=bash disable=SC2034
# Shared by docker/build and docker/lab (sourced, not run): names, paths and the node table.
# The node table is read from compose.yml, the one place where nodes and addresses are written.

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Generated keys, known_hosts and ssh_config; git-ignored. The node image copies the public keys
# and the host key from here (the build context is docker/).
LAB_STATE=$LAB_DIR/state
LAB_PROJECT=rift-lab
LAB_SUITE=bookworm
LAB_BASE_IMAGE=rift-lab-base:$LAB_SUITE
LAB_NODE_IMAGE=rift-lab-node:latest
LAB_RIFT_IMAGE=rift-lab-rift:latest

lab_compose() {
  docker-compose --project-name "$LAB_PROJECT" --file "$LAB_DIR/compose.yml" "$@"
}

# Prints "name address" for each node, in order, from compose.yml (each service is a node whose
# name is its key and whose address is its ipv4_address).
lab_nodes() {
  awk '/^  [a-z0-9]+:$/ { name = substr($1, 1, length($1) - 1) }
       /ipv4_address:/  { print name, $2 }' "$LAB_DIR/compose.yml"
}

lab_log() { printf 'lab: %s\n' "$*" >&2; }
lab_die() { printf 'lab: error: %s\n' "$*" >&2; exit 3; }

# Seconds since the epoch with milliseconds, for timing steps.
lab_now() { date +%s.%3N; }
lab_since() { awk -v a="$1" -v b="$(lab_now)" 'BEGIN { printf "%.1f", b - a }'; }
