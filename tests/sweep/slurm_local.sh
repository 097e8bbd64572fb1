#!/bin/bash
# A throw-away single-node Slurm cluster on localhost for tests/test_sweep.c (run as root).
#   slurm_local.sh start DIR   writes DIR/slurm.conf, starts munged (private socket and key in DIR), slurmctld and
#                              slurmd, waits (bounded) until sinfo shows the node idle; prints SLURM_CONF=DIR/slurm.conf
#   slurm_local.sh stop DIR    kills the daemons it started (by their pid files) and removes DIR
# Nothing outside DIR is touched: no cgroup plugins (proctrack/linuxproc, task/none), no accounting, no systemd,
# no /etc/slurm or /etc/munge. Ports: $CR_SLURM_PORT (slurmctld, default 16817) and the next one (slurmd).
set -u
cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then echo "usage: $0 start|stop DIR" >&2; exit 2; fi
port=${CR_SLURM_PORT:-16817}
wait_s=${CR_SLURM_WAIT:-60}

die() { echo "slurm_local: $*" >&2; exit 1; }

# The pid in pid file $1 if it is still the named program $2 (else nothing).
live_pid() {
    local pid
    [ -s "$1" ] || return 0
    pid=$(cat "$1" 2>/dev/null) || return 0
    case $pid in ''|*[!0-9]*) return 0 ;; esac
    grep -qs "$2" "/proc/$pid/comm" && echo "$pid"
    return 0
}

case $cmd in
start)
    [ "$(id -u)" = 0 ] || die "must run as root (slurmd and munged run as root here)"
    for p in munged mungekey slurmctld slurmd sinfo sbatch; do
        command -v "$p" >/dev/null || die "$p not found: install the Debian packages slurm-wlm and munge (make deps)"
    done
    { mkdir -p "$dir" && chmod 700 "$dir"; } || die "cannot create $dir"
    dir=$(cd "$dir" && pwd -P)
    mkdir -p "$dir/ctld" "$dir/slurmd" "$dir/munge" && chmod 700 "$dir/munge"
    [ -s "$dir/munge/munge.key" ] || mungekey --create --keyfile="$dir/munge/munge.key" >/dev/null 2>&1 \
        || die "mungekey failed"
    chmod 600 "$dir/munge/munge.key"
    munged --force --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
        --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed" \
        || die "munged failed: $(tail -3 "$dir/munge/munged.log" 2>/dev/null)"
    cat > "$dir/slurm.conf" <<CONF
# Written by tests/sweep/slurm_local.sh: one node, no cgroups, no accounting.
ClusterName=cvxrelu-test
SlurmctldHost=localhost
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/ctld
SlurmdSpoolDir=$dir/slurmd
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/builtin
SchedulerParameters=sched_interval=1
MailProg=/bin/true
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MinJobAge=300
KillWait=5
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$(awk '/^MemTotal:/ {print int($2 / 1024 * 3 / 4)}' /proc/meminfo) State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
    export SLURM_CONF=$dir/slurm.conf
    slurmctld -f "$dir/slurm.conf" || die "slurmctld failed: $(tail -5 "$dir/slurmctld.log" 2>/dev/null)"
    slurmd -f "$dir/slurm.conf" -N localhost || die "slurmd failed: $(tail -5 "$dir/slurmd.log" 2>/dev/null)"
    for _ in $(seq $((wait_s * 2))); do
        state=$(sinfo -h -N -o '%T' -n localhost 2>/dev/null)
        [ "$state" = idle ] && { echo "SLURM_CONF=$dir/slurm.conf"; exit 0; }
        sleep 0.5
    done
    echo "slurm_local: node not idle after ${wait_s} s (state: ${state:-none})" >&2
    tail -5 "$dir/slurmctld.log" "$dir/slurmd.log" >&2 2>/dev/null
    exit 1
    ;;
stop)
    [ -d "$dir" ] || exit 0
    [ -f "$dir/slurm.conf" ] || die "$dir does not hold a slurm_local cluster (no slurm.conf); not removing it"
    pids=()
    for d in "slurmd.pid slurmd" "slurmctld.pid slurmctld" "munge/munged.pid munged"; do
        read -r f name <<< "$d"
        p=$(live_pid "$dir/$f" "$name")
        [ -n "$p" ] && pids+=("$p")
    done
    if [ ${#pids[@]} -gt 0 ]; then
        kill -TERM "${pids[@]}" 2>/dev/null
        for _ in $(seq 100); do
            alive=0
            for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
            [ $alive = 0 ] && break
            sleep 0.1
        done
        kill -KILL "${pids[@]}" 2>/dev/null
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
