#!/bin/sh
# Run on a lab node over SSH, as the rift user, by `docker/lab check`: proves that the node can
# do what rift does to a host. Argument: a peer node's address. Prints one line per check and
# exits non-zero at the first failure, after removing what it made.
set -eu
peer=$1
dir=/tmp/rift-check
chain=rift-check
comment="rift lab check"
fail() { echo "FAIL $*"; exit 1; }
# Sends signal $1 to process group $2 with bash's builtin kill: dash's builtin takes no "--",
# and procps' /usr/bin/kill (4.0.2) refuses or ignores every spelling of a negative pid.
group() { bash -c 'kill -s "$1" -- "-$2"' group "$1" "$2"; }
cleanup() {
  status=$?
  set +e
  [ -f "$dir/pids" ] && while read -r p; do group CONT "$p" 2>/dev/null; group KILL "$p" 2>/dev/null; done < "$dir/pids"
  sudo -n iptables -w -D INPUT -m comment --comment "$comment" -j "$chain" 2>/dev/null || true
  sudo -n iptables -w -F "$chain" 2>/dev/null || true
  sudo -n iptables -w -X "$chain" 2>/dev/null || true
  rm -rf "$dir"
  exit "$status"
}
trap cleanup EXIT
rm -rf "$dir"
mkdir -p "$dir"

# Starts "$@" detached: its own session and process group (pgid = pid), output to $dir/$name.log;
# prints its pid. The pid is learnt before exec, so it is the program's own.
spawn() {
  name=$1; shift
  pid=$(setsid -f sh -c 'echo $$; exec "$@" >>"'"$dir/$name"'.log" 2>&1 </dev/null' sh "$@")
  echo "$pid" >> "$dir/pids"
  echo "$pid"
}
between() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }
state() { cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null || echo gone; }
# Waits (at most 5 s) until the shell command $1 succeeds (evaluated anew each time).
within5s() { i=0; until eval "$1" >/dev/null 2>&1; do i=$((i + 1)); [ "$i" -lt 100 ] || return 1; sleep 0.05; done; }

[ "$(id -un)" = rift ] || fail "logged in as $(id -un), not rift"
sudo -n true || fail "sudo asks for a password"
echo "ok login as rift, passwordless sudo"

# Partition: the peer's packets are dropped by a rule in rift's own chain, then healed.
ping -c1 -W1 "$peer" >/dev/null || fail "cannot ping $peer before the partition"
sudo -n iptables -w -N "$chain"
sudo -n iptables -w -A INPUT -m comment --comment "$comment" -j "$chain"
sudo -n iptables -w -A "$chain" -s "$peer/32" -m comment --comment "$comment" -j DROP
if ping -c1 -W1 "$peer" >/dev/null; then fail "ping $peer passes the DROP rule"; fi
sudo -n iptables -w -D INPUT -m comment --comment "$comment" -j "$chain"
sudo -n iptables -w -F "$chain"
sudo -n iptables -w -X "$chain"
ping -c1 -W1 "$peer" >/dev/null || fail "cannot ping $peer after the heal"
if sudo -n iptables -w -S | grep -q rift; then fail "a rift rule is left"; fi
echo "ok iptables: chain $chain dropped $peer, removed, nothing left"

# Pause and resume: signals to the process group, state read back from /proc.
pid=$(spawn sleep sleep 600)
within5s 'test "$(state "$pid")" = S' || fail "sleep is $(state "$pid"), not S"
group STOP "$pid"
within5s 'test "$(state "$pid")" = T' || fail "after SIGSTOP sleep is $(state "$pid"), not T"
group CONT "$pid"
within5s 'test "$(state "$pid")" = S' || fail "after SIGCONT sleep is $(state "$pid"), not S"
group KILL "$pid"
within5s 'test "$(state "$pid")" = gone' || fail "after SIGKILL sleep is $(state "$pid"), not gone"
echo "ok signals: SIGSTOP -> T, SIGCONT -> S, SIGKILL -> gone (reaped by PID 1)"

# Clock: date under libfaketime reads its offset from a control file, rewritten live.
lib=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
clock="$dir/clock"
faked() { LD_PRELOAD=$lib FAKETIME_TIMESTAMP_FILE=$clock FAKETIME_NO_CACHE=1 \
          FAKETIME_DONT_FAKE_MONOTONIC=1 DONT_FAKE_MONOTONIC=1 date +%s; }
printf '+3600.000\n' > "$clock.tmp" && mv "$clock.tmp" "$clock"
ahead=$(( $(faked) - $(date +%s) ))
printf -- '-60.000\n' > "$clock.tmp" && mv "$clock.tmp" "$clock"
behind=$(( $(faked) - $(date +%s) ))
between "$ahead" 3599 3601 || fail "date under +3600 s is $ahead s off"
between "$behind" -61 -59 || fail "date under -60 s is $behind s off"
echo "ok libfaketime: date ran ${ahead} s ahead, then ${behind} s (control file rewritten)"

# etcd and redis-server, started as rift (not root), answer.
mkdir -p "$dir/etcd" "$dir/redis"
e=$(spawn etcd etcd --name check --data-dir "$dir/etcd" \
  --listen-client-urls http://127.0.0.1:23790 --advertise-client-urls http://127.0.0.1:23790 \
  --listen-peer-urls http://127.0.0.1:23800 --initial-advertise-peer-urls http://127.0.0.1:23800 \
  --initial-cluster check=http://127.0.0.1:23800)
within5s 'etcdctl --endpoints=127.0.0.1:23790 put rift lab' || fail "etcd does not answer (log: $(tail -3 "$dir/etcd.log"))"
[ "$(etcdctl --endpoints=127.0.0.1:23790 get --print-value-only rift)" = lab ] || fail "etcd lost a write"
[ "$(ps -o user= -p "$e")" = rift ] || fail "etcd runs as $(ps -o user= -p "$e")"
echo "ok etcd $(etcd --version | head -1 | awk '{print $3}') as rift: put and get"
# redis-server is linked with jemalloc: glibc is preloaded after libfaketime (faults/src/clock.rs).
printf '+120.000\n' > "$clock"
r=$(spawn redis env LD_PRELOAD="$lib libc.so.6" FAKETIME_TIMESTAMP_FILE="$clock" FAKETIME_NO_CACHE=1 \
  FAKETIME_DONT_FAKE_MONOTONIC=1 DONT_FAKE_MONOTONIC=1 \
  redis-server --port 6390 --bind 127.0.0.1 --dir "$dir/redis" --save '' --appendonly no)
within5s 'test "$(redis-cli -p 6390 ping)" = PONG' || fail "redis-server does not answer (log: $(tail -3 "$dir/redis.log"))"
[ "$(ps -o user= -p "$r")" = rift ] || fail "redis-server runs as $(ps -o user= -p "$r")"
skew=$(( $(redis-cli -p 6390 time | head -1) - $(date +%s) ))
between "$skew" 119 121 || fail "redis TIME under +120 s is $skew s off"
echo "ok redis-server as rift under libfaketime: PONG, TIME ${skew} s ahead"
