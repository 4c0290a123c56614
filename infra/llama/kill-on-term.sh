#!/bin/sh
# usage: kill-on-term.sh COMMAND [ARG...]
#
# Runs llama-server so that SIGTERM stops it at once. On SIGTERM llama-server first finishes the reply it is
# generating (a minute for a small model that rambles), and exit() on a second signal can hang on its threads;
# it keeps nothing that needs a graceful stop, so the supervisor's SIGTERM becomes SIGKILL here.
set -u

"$@" &
child=$!
trap 'kill -KILL "$child" 2>/dev/null' TERM INT HUP

wait "$child"
status=$?
while kill -0 "$child" 2>/dev/null; do
  wait "$child"
  status=$?
done
exit "$status"
