#!/bin/sh
# The seeds' programs (test/clients/seeds/), compiled with the mmf-win32 flags and
# -Wall -Wextra -Werror (-Werror=implicit-function-declaration among them), then run.
#   seeds.sh BUILD_DIR WORK_DIR     prints one "ok"/"not ok" line a check
set -u
B=$1
W=$2
top=$(pwd)
n=0
say() { n=$((n + 1)); echo "$1 $n - $2"; }
rm -rf "$W" && mkdir -p "$W"
WIN="$(PKG_CONFIG_PATH=$B pkg-config --cflags mmf-win32) -I$top/include"
LIBS="-L$top/$B -Wl,-rpath,$top/$B -lmmf -lpthread"
built=1
for p in shm-server shm-client filerev wince; do
    # shellcheck disable=SC2086
    if cc -std=gnu11 -Wall -Wextra -Werror -Werror=implicit-function-declaration $WIN \
        -o "$W/$p" "$top/test/clients/seeds/$p.c" $LIBS >"$W/$p.build" 2>&1; then
        say ok "seed program $p compiles with no warning"
    else
        cat "$W/$p.build"
        say "not ok" "seed program $p compiles with no warning"
        built=0
    fi
done
[ $built = 1 ] || exit 1

# Server and client: the client reads what the server wrote, while the server waits for
# a key (given on its standard input when the client is done).
fifo=$W/key
mkfifo "$fifo"
"$W/shm-server" <"$fifo" >"$W/server.out" 2>&1 &
srv=$!
exec 3>"$fifo"
i=0
while ! grep -q ready "$W/server.out" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if [ "$("$W/shm-client" 2>&1)" = "Message from first process." ]; then
    say ok "seed 003: the client reads the server's message"
else
    say "not ok" "seed 003: the client reads the server's message"
fi
echo x >&3
exec 3>&-
if wait $srv; then say ok "seed 003: the server ends at a key"; else say "not ok" "seed 003: the server ends at a key"; fi

# FileRev: ANSI text and UTF-16 text with its byte order mark, reversed in place.
printf 'Hello, mapped world' >"$W/a.txt"
if [ "$("$W/filerev" "$W/a.txt")" = ansi ] && [ "$(cat "$W/a.txt")" = "dlrow deppam ,olleH" ]; then
    say ok "seed 002: FileRev reverses ANSI text"
else
    say "not ok" "seed 002: FileRev reverses ANSI text"
fi
printf '\377\376a\000b\000c\000 \000d\000' >"$W/u.txt"
printf '\377\376d\000 \000c\000b\000a\000' >"$W/u.expect"
if [ "$("$W/filerev" "$W/u.txt")" = unicode ] && cmp -s "$W/u.txt" "$W/u.expect"; then
    say ok "seed 002: FileRev reverses UTF-16 text after its byte order mark"
else
    say "not ok" "seed 002: FileRev reverses UTF-16 text after its byte order mark"
fi

if [ "$("$W/wince")" = ok ]; then say ok "seed 004: CreateFileForMapping and L\"abc\" names"; else say "not ok" "seed 004: CreateFileForMapping and L\"abc\" names"; fi
