#!/bin/sh
# usage: kill-on-term.sh COMMAND [ARG...]
#
# Runs llama-server so that SIGTERM stops it at once. On SIGTERM llama-server first finishes the reply it is
# generating (a minute for a small model that rambles), and exit() on a second signal can hang on its threads;
# it keeps nothing that needs a graceful stop, so the supervisor's SIGTERM becomes SIGKILL here.
set -u

# The trap first: a signal between the start and the trap would end this shell and leave the server behind.
child=
trap '[ -n "$child" ] && kill -KILL "$child" 2>/dev/null; exit 143' TERM INT HUP
"$@" &
child=$!

. "$(dirname "$0")/../shell/wait-for.sh"
wait_for "$child"
