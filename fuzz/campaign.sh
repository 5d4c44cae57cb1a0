#!/usr/bin/env bash
# Fuzz campaign: two lanes (one per core) at nice 19 (NICE_A, NICE_B), each round-robin over
# its targets, picking the one with the least CPU seconds so far. Per run,
# CPU seconds (user+sys from /usr/bin/time) and executions (libFuzzer's
# final stats) are added to logs/T.total and logs/T.execs; crashes land in
# artifacts/T/. Stop with: touch logs/STOP
cd "$(dirname "$0")"
mkdir -p logs
CHUNK=${CHUNK:-600}
GOAL=${GOAL:-3600}
lane() {
  local nice=$1
  shift
  local targets=("$@")
  while [ ! -e logs/STOP ]; do
    local best="" bestv=999999999
    for t in "${targets[@]}"; do
      v=$(cat logs/$t.total 2>/dev/null || echo 0)
      v=${v%.*}
      if [ "$v" -lt "$GOAL" ] && [ "$v" -lt "$bestv" ]; then best=$t; bestv=$v; fi
    done
    [ -z "$best" ] && break
    t=$best
    mkdir -p artifacts/$t corpus/$t
    stamp=$(date +%H%M%S)
    RUSTC_BOOTSTRAP=1 /usr/bin/time -f '%U %S' -o logs/$t.$stamp.time nice -n "$nice" \
      cargo fuzz run -O $t corpus/$t -- -max_total_time=$CHUNK -max_len=262144 \
      -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 \
      -artifact_prefix=artifacts/$t/ > logs/$t.$stamp.log 2>&1
    rc=$?
    cpu=$(tail -1 logs/$t.$stamp.time | awk '{print $1+$2}')
    old=$(cat logs/$t.total 2>/dev/null || echo 0)
    echo "$old $cpu" | awk '{printf "%.0f\n", $1+$2}' > logs/$t.total
    ex=$(grep -o 'stat::number_of_executed_units: *[0-9]*' logs/$t.$stamp.log | awk '{s+=$2} END {print s+0}')
    oldx=$(cat logs/$t.execs 2>/dev/null || echo 0)
    echo $((oldx + ex)) > logs/$t.execs
    echo "$(date -u +%FT%TZ) $t rc=$rc cpu=$cpu execs=$ex total=$(cat logs/$t.total)" >> logs/campaign.log
    if [ $rc -ne 0 ] && ls artifacts/$t/crash-* artifacts/$t/oom-* artifacts/$t/timeout-* >/dev/null 2>&1; then
      echo "$(date -u +%FT%TZ) $t CRASH rc=$rc" >> logs/campaign.log
    fi
  done
}
lane "${NICE_A:-19}" mail subject diff_trailer &
lane "${NICE_B:-19}" query notebook segment &
wait
