/* Modules: LoadLibrary, GetProcAddress, FreeLibrary, GetModuleHandle, GetModuleFileName.
 *
 * A module is a loaded ELF object and its HMODULE the address its image starts at, as on
 * Windows (the lowest PT_LOAD segment). The program is the first object; mmf's own library
 * answers to the names of the Windows DLLs its functions come from (kernel32, kernelbase,
 * ntdll), so that GetProcAddress(GetModuleHandle("kernel32"), "CreateFileMappingW") finds
 * mmf's. Other names go to the dynamic loader as given, then, for "x.dll" or "x", as
 * "x.so" and "libx.so" (docs/deviations.md). */
#include <dlfcn.h>
#include <stdio.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "io/io.h"
#include "ps/ps.h"

/* What a walk of the loaded objects looks for: the object whose image starts at `base`,
 * or holds `addr`, or (first) the program; it gives back its base and path. */
struct walk {
    uintptr_t base, addr;
    bool first;
    uintptr_t found;
    char path[4096];
};

static int visit(struct dl_phdr_info *info, size_t size, void *arg)
{
    struct walk *w = arg;
    uintptr_t low = UINTPTR_MAX, high = 0;
    (void)size;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        if (ph->p_vaddr < low)
            low = ph->p_vaddr;
        if (ph->p_vaddr + ph->p_memsz > high)
            high = ph->p_vaddr + ph->p_memsz;
    }
    if (low == UINTPTR_MAX)
        return 0;
    uintptr_t base = info->dlpi_addr + low, end = info->dlpi_addr + high;
    if (!w->first && !(w->base && w->base == base) &&
        !(w->addr && w->addr >= base && w->addr < end))
        return 0;
    w->found = base;
    snprintf(w->path, sizeof w->path, "%s", info->dlpi_name ? info->dlpi_name : "");
    return 1;
}

static bool walk(struct walk *w)
{
    w->found = 0;
    w->path[0] = 0;
    dl_iterate_phdr(visit, w);
    return w->found != 0;
}

static HMODULE program_module(void)
{
    struct walk w = {.first = true};
    walk(&w);
    return (HMODULE)w.found;
}

/* mmf's own library (the program itself when mmf is linked in statically). */
static HMODULE own_library(void)
{
    struct walk w = {.addr = (uintptr_t)&program_module};
    walk(&w);
    return (HMODULE)w.found;
}

/* The path of a module's file, "" for the program (its dlopen name is NULL). */
static int module_path(HMODULE m, struct walk *w)
{
    *w = (struct walk){.base = (uintptr_t)m, .first = !m};
    if (!walk(w))
        return MMF__W(ERROR_MOD_NOT_FOUND);
    if ((HMODULE)w->found == program_module())
        w->path[0] = 0;
    return 0;
}

/* The length of a file name without a ".dll" ending (any case). */
static size_t stem_len(const char *file)
{
    size_t n = strlen(file);
    return n > 4 && strcasecmp(file + n - 4, ".dll") == 0 ? n - 4 : n;
}

/* Does a Windows module name (any case, with or without ".dll") name mmf's library? */
static bool names_own_library(const char *name)
{
    static const char *const own[] = {"kernel32", "kernelbase", "ntdll"};
    const char *base = strrchr(name, '\\');
    base = base ? base + 1 : name;
    size_t n = stem_len(base);
    for (size_t i = 0; i < sizeof own / sizeof *own; i++)
        if (strlen(own[i]) == n && strncasecmp(base, own[i], n) == 0)
            return true;
    return false;
}

/* The file names tried for a module name, in order, into out (each malloc'd, the rest
 * NULL). */
static int candidates(const char *name, char *out[3])
{
    char *path, *so = NULL, *libso = NULL;
    out[0] = out[1] = out[2] = NULL;
    int st = mmf__linux_path(name, &path);
    if (st < 0)
        return st;
    char *slash = strrchr(path, '/'), *file = slash ? slash + 1 : path;
    size_t n = stem_len(file);
    if (n == strlen(file) && strchr(file, '.'))
        n = 0; /* a name with another extension is only tried as it is */
    int dir = (int)(file - path);
    out[0] = path;
    if (n && (asprintf(&so, "%.*s%.*s.so", dir, path, (int)n, file) < 0 ||
              asprintf(&libso, "%.*slib%.*s.so", dir, path, (int)n, file) < 0))
        return -ENOMEM; /* (asprintf leaves its pointer undefined when it fails) */
    out[1] = so, out[2] = libso;
    return 0;
}

static HMODULE base_of_handle(void *h)
{
    struct link_map *lm;
    if (dlinfo(h, RTLD_DI_LINKMAP, &lm) != 0)
        return NULL;
    struct walk w = {.addr = (uintptr_t)lm->l_ld}; /* inside the object, whatever its bias */
    return walk(&w) ? (HMODULE)w.found : NULL;
}

/* The module a name names: mmf's library for kernel32 and its kin, else the first of the
 * name's candidates that the loader has (load: or can load, keeping the reference that
 * FreeLibrary drops). A file that is there but no object is ERROR_BAD_EXE_FORMAT. */
static int resolve(const char *name, bool load, HMODULE *out)
{
    char *names[3];
    if (names_own_library(name)) {
        *out = own_library();
        return 0;
    }
    int st = candidates(name, names);
    bool exists = false;
    *out = NULL;
    for (int i = 0; st == 0 && i < 3 && names[i] && !*out; i++) {
        void *h = dlopen(names[i], RTLD_NOW | (load ? RTLD_LOCAL : RTLD_NOLOAD));
        if (h) {
            *out = base_of_handle(h);
            if (!load)
                dlclose(h);
        } else {
            exists = exists || (load && access(names[i], F_OK) == 0);
        }
    }
    for (int i = 0; i < 3; i++)
        free(names[i]);
    if (st == 0 && !*out)
        st = MMF__W(exists ? ERROR_BAD_EXE_FORMAT : ERROR_MOD_NOT_FOUND);
    return st;
}

HMODULE WINAPI LoadLibraryExA(LPCSTR name, HANDLE file, DWORD flags)
{
    HMODULE m;
    (void)flags; /* search-path and data-file flags: the loader's own rules apply */
    if (!name || file)
        return mmf__fail(MMF__W(ERROR_INVALID_PARAMETER)), NULL;
    int st = resolve(name, true, &m);
    return st < 0 ? (mmf__fail(st), NULL) : m;
}

HMODULE WINAPI LoadLibraryA(LPCSTR name)
{
    return LoadLibraryExA(name, NULL, 0);
}

HMODULE WINAPI LoadLibraryExW(LPCWSTR name, HANDLE file, DWORD flags)
{
    char *a;
    int st = mmf__narrow(name, &a);
    if (st < 0)
        return mmf__fail(st), NULL;
    HMODULE m = LoadLibraryExA(a, file, flags);
    free(a);
    return m;
}

HMODULE WINAPI LoadLibraryW(LPCWSTR name)
{
    return LoadLibraryExW(name, NULL, 0);
}

/* A loader handle for a loaded module (a reference of its own), or NULL. */
static void *handle_of(HMODULE m)
{
    struct walk w;
    if (module_path(m, &w) < 0)
        return NULL;
    return dlopen(w.path[0] ? w.path : NULL, RTLD_NOW | RTLD_NOLOAD);
}

BOOL WINAPI FreeLibrary(HMODULE m)
{
    void *h = m ? handle_of(m) : NULL;
    if (!h)
        return mmf__fail(MMF__W(ERROR_MOD_NOT_FOUND)), FALSE;
    dlclose(h);
    if (m != program_module() && m != own_library())
        dlclose(h); /* LoadLibrary's reference */
    return TRUE;
}

FARPROC WINAPI GetProcAddress(HMODULE m, LPCSTR name)
{
    void *h = handle_of(m), *p = NULL;
    if (!h)
        return mmf__fail(MMF__W(ERROR_MOD_NOT_FOUND)), NULL;
    if ((uintptr_t)name >> 16) /* an ordinal: ELF objects export by name only */
        p = dlsym(h, name);
    dlclose(h);
    if (!p)
        return mmf__fail(MMF__W(ERROR_PROC_NOT_FOUND)), NULL;
    return (FARPROC)p;
}

/* A loaded module by name, without loading it: NULL names the program. */
HMODULE WINAPI GetModuleHandleA(LPCSTR name)
{
    HMODULE m = program_module();
    int st = name ? resolve(name, false, &m) : 0;
    return st < 0 ? (mmf__fail(st), NULL) : m;
}

HMODULE WINAPI GetModuleHandleW(LPCWSTR name)
{
    char *a;
    int st = mmf__narrow(name, &a);
    if (st < 0)
        return mmf__fail(st), NULL;
    HMODULE m = GetModuleHandleA(a);
    free(a);
    return m;
}

/* The path of a module's file: the program's is /proc/self/exe's target. */
static int file_of(HMODULE module, char *buf, size_t cap)
{
    struct walk w;
    int st = module_path(module, &w);
    if (st < 0)
        return st;
    if (w.path[0]) {
        snprintf(buf, cap, "%s", w.path);
        return 0;
    }
    ssize_t n = mmf__sys.readlink("/proc/self/exe", buf, cap - 1);
    if (n < 0)
        return -errno;
    buf[n] = 0;
    return 0;
}

/* A name that does not fit is cut to the buffer, terminated, with
 * ERROR_INSUFFICIENT_BUFFER and the buffer's size returned (Windows XP and later). */
DWORD WINAPI GetModuleFileNameA(HMODULE module, LPSTR out, DWORD cap)
{
    char path[4096];
    int st = file_of(module, path, sizeof path);
    if (st < 0)
        return mmf__fail(st), 0;
    size_t n = strlen(path);
    if (cap == 0)
        return mmf__fail(MMF__W(ERROR_INSUFFICIENT_BUFFER)), 0;
    if (n >= cap) {
        memcpy(out, path, cap - 1);
        out[cap - 1] = 0;
        return mmf__fail(MMF__W(ERROR_INSUFFICIENT_BUFFER)), cap;
    }
    memcpy(out, path, n + 1);
    SetLastError(ERROR_SUCCESS);
    return (DWORD)n;
}

DWORD WINAPI GetModuleFileNameW(HMODULE module, LPWSTR out, DWORD cap)
{
    char path[4096];
    WCHAR *w;
    size_t n;
    int st = file_of(module, path, sizeof path);
    if (st == 0)
        st = mmf__utf8_to_utf16(path, strlen(path), &w, &n);
    if (st < 0)
        return mmf__fail(st), 0;
    DWORD r;
    if (cap == 0) {
        mmf__fail(MMF__W(ERROR_INSUFFICIENT_BUFFER));
        r = 0;
    } else if (n >= cap) {
        memcpy(out, w, (cap - 1) * sizeof *w);
        out[cap - 1] = 0;
        mmf__fail(MMF__W(ERROR_INSUFFICIENT_BUFFER));
        r = cap;
    } else {
        memcpy(out, w, (n + 1) * sizeof *w);
        SetLastError(ERROR_SUCCESS);
        r = (DWORD)n;
    }
    free(w);
    return r;
}
