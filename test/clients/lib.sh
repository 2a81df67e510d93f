# Shared by test/clients/run.sh (make check-clients) and bench/clients/run.sh
# (make bench-clients), sourced with $B (the build directory) and $top set: how Debian's
# source packages are fetched (cached outside the tree) and the flags a Windows code path
# is built with against mmf (mmf-win32.pc's, nothing else).
cache=${MMF_CLIENTS_CACHE:-$HOME/.cache/mmf-clients}
WIN="$(PKG_CONFIG_PATH=$B pkg-config --cflags mmf-win32) -I$top/include"
LIBS="-L$top/$B -Wl,-rpath,$top/$B -lmmf -lpthread"

have_deb_src() {
    grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d
}

add_deb_src() {
    . /etc/os-release
    cat >/etc/apt/sources.list.d/mmf-deb-src.sources <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $VERSION_CODENAME
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    apt-get update -qq
}

# fetch PACKAGE: the package's upstream tarball in the cache (downloaded once).
fetch() {
    mkdir -p "$cache"
    if ! ls "$cache/$1"_*.orig.tar.* >/dev/null 2>&1; then
        have_deb_src || add_deb_src
        (cd "$cache" && apt-get source -qq --download-only "$1") >/dev/null 2>&1
    fi
    ls "$cache/$1"_*.orig.tar.* 2>/dev/null | grep -v -- '-www' | head -n 1
}

unpack() { # unpack TARBALL DIR
    rm -rf "$2" && mkdir -p "$2" && tar -xf "$1" -C "$2" --strip-components=1
}

# sqlite_amalgamation SRC DIR: SQLite's sqlite3.c made in DIR from its source tree (needs tclsh).
sqlite_amalgamation() {
    mkdir -p "$2" && (cd "$2" && "$1/configure" --disable-tcl >/dev/null 2>&1 &&
        make sqlite3.c >/dev/null 2>&1)
}
