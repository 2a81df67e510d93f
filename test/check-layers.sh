#!/bin/sh
# Checks that src/'s components only point down, by include and by call, and that no
# files call each other in a cycle.
#   check-layers.sh OBJDIR LAYER...   (lowest first; components of one layer joined by
#                                      commas may not use each other)
# Calls are read from the objects: each undefined symbol of a file must be defined in its
# own component or in a lower layer; the file-to-file graph must have no loop (tsort).
set -eu
obj=$1
shift
ranks=
r=0
for layer in "$@"; do
    for c in $(echo "$layer" | tr , ' '); do
        ranks="$ranks $c=$r"
    done
    r=$((r + 1))
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0

# Includes: "comp/header.h" from src/<own>/ must name the own component or a lower one.
for f in src/*/*.c src/*/*.h; do
    own=$(basename "$(dirname "$f")")
    sed -n 's/^#include "\([a-z]*\)\/.*/\1/p' "$f" | while read -r to; do
        echo "$own $to $f"
    done
done >"$tmp/includes"

# Calls: "file symbol" for what each object uses and defines.
for o in "$obj"/*/*.o; do
    name=${o#"$obj"/}
    name=${name%.o}
    nm -u "$o" | awk -v f="$name" '{print f, $NF}' >>"$tmp/uses"
    nm --defined-only "$o" | awk -v f="$name" '$2 ~ /[TDBRC]/ {print $3, f}' >>"$tmp/defs"
done
awk 'NR == FNR {def[$1] = $2; next} ($2 in def) && def[$2] != $1 {print $1, def[$2], $2}' \
    "$tmp/defs" "$tmp/uses" | sort -u >"$tmp/calls"

# One line per crossing that goes up or sideways.
awk -v ranks="$ranks" '
    BEGIN { n = split(ranks, kv, " "); for (i = 1; i <= n; i++) { split(kv[i], p, "="); rank[p[1]] = p[2] } }
    FILENAME ~ /includes$/ { from = $1; to = $2; where = $3 " includes " to "/" }
    FILENAME ~ /calls$/ { split($1, a, "/"); split($2, b, "/"); from = a[1]; to = b[1];
                          where = $1 " uses " $3 " of " $2 }
    from != to && (!(from in rank) || !(to in rank) || rank[to] >= rank[from]) {
        print "layer violation: " where; bad = 1 }
    END { exit bad }' "$tmp/includes" "$tmp/calls" || bad=1

awk '{print $2, $1}' "$tmp/calls" | sort -u >"$tmp/edges"
if ! tsort "$tmp/edges" >/dev/null 2>"$tmp/loop"; then
    echo "call cycle between files:"
    cat "$tmp/loop"
    bad=1
fi
[ "$bad" = 0 ] && echo "layers: ok ($(wc -l <"$tmp/calls") calls between files, no cycle)"
exit "$bad"
