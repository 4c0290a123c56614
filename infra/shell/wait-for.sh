# Sourced by the supervisors (infra/kafka/supervise.sh, infra/llama/kill-on-term.sh).
# usage: wait_for PID — waits until PID is really gone and exits with its status. `wait` returns early when a
# trapped signal arrives; the caller's exit tells Node the ports are closed and the folders can go.
wait_for() {
  wait "$1"
  status=$?
  while kill -0 "$1" 2>/dev/null; do
    wait "$1"
    status=$?
  done
  exit "$status"
}
