#!/bin/sh
# usage: supervise.sh DIR_TO_REMOVE COMMAND [ARG...]
#
# Runs COMMAND (a JVM) so that it cannot outlive the Node process that started it. Node holds
# the write end of our stdin pipe; the kernel closes it however Node ends (a crash, a test
# runner killing its worker with SIGKILL), and EOF on stdin makes the watcher below stop the JVM
# and remove DIR_TO_REMOVE (its temp folder). While Node lives, the folder is Node's to remove:
# after a failed start it still has to read the log inside. stop() signals our process group.
set -u
cleanup_dir=$1
shift

# A non-interactive shell gives background jobs /dev/null as stdin, so keep the pipe on fd 3.
exec 3<&0

"$@" </dev/null 3<&- &
child=$!

(
  while read -r _ <&3; do :; done
  # Node also closes the pipe once we exit, which happens only after the JVM is gone. So a JVM
  # that is still alive here means Node itself died and nobody else will clean up.
  if kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null
    while kill -0 "$child" 2>/dev/null; do sleep 0.2; done
    if [ -n "$cleanup_dir" ]; then rm -rf -- "$cleanup_dir"; fi
  fi
) &
exec 3<&-

trap 'kill -TERM "$child" 2>/dev/null' TERM INT HUP

# Until the JVM is really gone: our exit tells Node the ports are closed and the folder can go.
. "$(dirname "$0")/../shell/wait-for.sh"
wait_for "$child"
