/* Named sections: create/open across processes, name rules, access, lifetime. */
#include "test.h"

static HANDLE create_named(const char *name, DWORD size)
{
    return CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, size, name);
}

static unsigned char *map_all(HANDLE m)
{
    unsigned char *v = MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    ASSERT(v != NULL);
    return v;
}

/* Child: opens the name, checks the parent's bytes, answers at offset 100. */
CHILD(open_and_answer)
{
    HANDLE m = OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, arg);
    if (!m)
        return 10;
    unsigned char *v = MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    if (!v || v[0] != 0xA5 || v[65535] != 0x5A)
        return 11;
    memcpy(v + 100, "answer", 6);
    UnmapViewOfFile(v);
    CloseHandle(m);
    return 0;
}

TEST(named_section_across_processes)
{
    char name[64];
    test_name(name, "across");
    SetLastError(0xdeadbeef);
    HANDLE m = create_named(name, 65536);
    ASSERT(m != NULL);
    ASSERT_EQ(GetLastError(), 0);
    unsigned char *v = map_all(m);
    for (int i = 0; i < 65536; i++)
        ASSERT_EQ(v[i], 0); /* a new object starts zeroed */
    v[0] = 0xA5;
    v[65535] = 0x5A;
    struct child c;
    start_child(&c, "open_and_answer", name);
    ASSERT_EQ(wait_child(&c, 20000), 0);
    ASSERT(memcmp(v + 100, "answer", 6) == 0);
    ASSERT(UnmapViewOfFile(v));
    ASSERT(CloseHandle(m));
}

TEST(existing_name_keeps_its_size)
{
    char name[64];
    WCHAR wname[64];
    test_name(name, "exists");
    ASSERT(MultiByteToWideChar(CP_UTF8, 0, name, -1, wname, 64) > 0);
    HANDLE a = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 65536, wname);
    ASSERT(a != NULL);
    SetLastError(0xdeadbeef);
    HANDLE b = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0x30000, name);
    ASSERT(b != NULL && b != a);
    ASSERT_EQ(GetLastError(), ERROR_ALREADY_EXISTS);
    unsigned char *va = map_all(a), *vb = map_all(b);
    MEMORY_BASIC_INFORMATION mbi;
    ASSERT(VirtualQuery(vb, &mbi, sizeof mbi) == sizeof mbi);
    ASSERT_EQ(mbi.RegionSize, 65536); /* the original size, not the second request's */
    va[7] = 77;
    ASSERT_EQ(vb[7], 77);
    /* Creating it read-only gives a handle that cannot map for writing. */
    HANDLE r = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READONLY, 0, 4096, name);
    ASSERT(r != NULL);
    ASSERT_ERR(!MapViewOfFile(r, FILE_MAP_WRITE, 0, 0, 0), ERROR_ACCESS_DENIED);
    /* Validation comes before the name: size 0 is refused even for an existing name. */
    ASSERT_ERR(!CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0, name),
               ERROR_INVALID_PARAMETER);
    UnmapViewOfFile(va);
    UnmapViewOfFile(vb);
    CloseHandle(a);
    CloseHandle(b);
    CloseHandle(r);
}

TEST(name_rules)
{
    char name[64], local[80], global[80], big[300];
    test_name(name, "rules");
    sprintf(local, "Local\\%s", name);
    sprintf(global, "Global\\%s", name);
    HANDLE l = create_named(local, 4096);
    ASSERT(l != NULL);
    SetLastError(0xdeadbeef);
    HANDLE plain = OpenFileMappingA(FILE_MAP_READ, FALSE, name); /* Local\x is x */
    ASSERT(plain != NULL);
    SetLastError(0xdeadbeef);
    HANDLE g = create_named(global, 4096);
    ASSERT(g != NULL);
    ASSERT_EQ(GetLastError(), 0); /* Global\x is another object */
    name[0] = 'M'; /* names are case-sensitive */
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, name), ERROR_FILE_NOT_FOUND);
    ASSERT_ERR(!create_named("Local\\", 4096), ERROR_INVALID_NAME);
    ASSERT_ERR(!create_named("Global\\", 4096), ERROR_INVALID_NAME);
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, "Local\\"), ERROR_INVALID_NAME);
    ASSERT_ERR(!create_named("a\\b", 4096), ERROR_PATH_NOT_FOUND);
    ASSERT_ERR(!create_named("Foo\\x", 4096), ERROR_PATH_NOT_FOUND);
    ASSERT_ERR(!create_named("Local\\a\\b", 4096), ERROR_PATH_NOT_FOUND);
    ASSERT_ERR(!create_named("local\\x", 4096), ERROR_PATH_NOT_FOUND);
    ASSERT_ERR(!create_named("\\x", 4096), ERROR_BAD_PATHNAME);
    memset(big, 'n', 260);
    big[260] = 0;
    ASSERT_ERR(!create_named(big, 4096), ERROR_FILENAME_EXCED_RANGE);
    big[259] = 0;
    HANDLE b = create_named(big, 4096);
    ASSERT(b != NULL);
    CloseHandle(b);
    CloseHandle(l);
    CloseHandle(plain);
    CloseHandle(g);
}

TEST(names_are_just_names)
{
    /* Slashes, dots, colons, spaces, '%', control characters and non-ASCII are ordinary
     * characters: each name is its own object, and none reaches outside the namespace. */
    static const char *const odd[] = {"/", "..", "../..", "/etc/passwd", ". ", "a:b c",
                                      "%2F", "%", "#x", ".hidden", "tab\tnl\n"};
    HANDLE h[sizeof odd / sizeof odd[0]];
    char name[64];
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        sprintf(name, "%s", odd[i]);
        SetLastError(0xdeadbeef);
        h[i] = create_named(name, 4096);
        ASSERT(h[i] != NULL);
        ASSERT_EQ(GetLastError(), 0);
        unsigned char *v = map_all(h[i]);
        ASSERT_EQ(v[0], 0);
        v[0] = (unsigned char)(i + 1);
        UnmapViewOfFile(v);
    }
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        HANDLE o = OpenFileMappingA(FILE_MAP_READ, FALSE, odd[i]);
        ASSERT(o != NULL);
        unsigned char *v = MapViewOfFile(o, FILE_MAP_READ, 0, 0, 0);
        ASSERT(v != NULL);
        ASSERT_EQ(v[0], i + 1);
        UnmapViewOfFile(v);
        CloseHandle(o);
        CloseHandle(h[i]);
    }
    /* W names: long ones, and characters beyond ASCII. */
    static WCHAR wbig[1200];
    for (int i = 0; i < 1100; i++)
        wbig[i] = (WCHAR)(i % 2 ? u'\u00e9' : u'\u4e2d');
    HANDLE w = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, wbig);
    ASSERT(w != NULL);
    HANDLE wo = OpenFileMappingW(FILE_MAP_READ, FALSE, wbig);
    ASSERT(wo != NULL);
    wbig[1099] = u'x';
    ASSERT_ERR(!OpenFileMappingW(FILE_MAP_READ, FALSE, wbig), ERROR_FILE_NOT_FOUND);
    CloseHandle(wo);
    CloseHandle(w);
}

TEST(open_errors_and_access)
{
    char name[64];
    test_name(name, "openacc");
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, NULL), ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!OpenFileMappingW(FILE_MAP_READ, FALSE, NULL), ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, ""), ERROR_INVALID_HANDLE);
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, name), ERROR_FILE_NOT_FOUND);
    HANDLE m = create_named(name, 65536);
    ASSERT(m != NULL);
    HANDLE r = OpenFileMappingA(FILE_MAP_READ, FALSE, name);
    ASSERT(r != NULL);
    ASSERT_ERR(!MapViewOfFile(r, FILE_MAP_WRITE, 0, 0, 0), ERROR_ACCESS_DENIED);
    void *v = MapViewOfFile(r, FILE_MAP_COPY, 0, 0, 0);
    ASSERT(v != NULL);
    UnmapViewOfFile(v);
    HANDLE w = OpenFileMappingA(FILE_MAP_WRITE, FALSE, name);
    ASSERT(w != NULL);
    ASSERT_ERR(!MapViewOfFile(w, FILE_MAP_READ, 0, 0, 0), ERROR_ACCESS_DENIED);
    v = MapViewOfFile(w, FILE_MAP_WRITE, 0, 0, 0);
    ASSERT(v != NULL);
    UnmapViewOfFile(v);
    HANDLE c = OpenFileMappingA(FILE_MAP_COPY, FALSE, name); /* opens for reading */
    ASSERT(c != NULL);
    v = MapViewOfFile(c, FILE_MAP_READ, 0, 0, 0);
    ASSERT(v != NULL);
    UnmapViewOfFile(v);
    CloseHandle(c);
    CloseHandle(w);
    CloseHandle(r);
    CloseHandle(m);
}

TEST(name_goes_with_the_last_handle)
{
    char name[64];
    test_name(name, "lifetime");
    HANDLE m = create_named(name, 4096);
    ASSERT(m != NULL);
    unsigned char *v = map_all(m);
    v[0] = 42;
    HANDLE m2 = OpenFileMappingA(FILE_MAP_READ, FALSE, name);
    ASSERT(m2 != NULL);
    ASSERT(CloseHandle(m));
    HANDLE m3 = OpenFileMappingA(FILE_MAP_READ, FALSE, name); /* m2 still holds it */
    ASSERT(m3 != NULL);
    ASSERT(CloseHandle(m2));
    ASSERT(CloseHandle(m3));
    /* The view keeps its memory, not the name. */
    ASSERT_EQ(v[0], 42);
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, name), ERROR_FILE_NOT_FOUND);
    SetLastError(0xdeadbeef);
    m = create_named(name, 4096);
    ASSERT(m != NULL);
    ASSERT_EQ(GetLastError(), 0);
    unsigned char *fresh = map_all(m);
    ASSERT_EQ(fresh[0], 0); /* a new, zeroed object */
    fresh[0] = 1;
    ASSERT_EQ(v[0], 42);
    UnmapViewOfFile(fresh);
    UnmapViewOfFile(v);
    CloseHandle(m);
}

TEST(duplicate_handle_in_process)
{
    char name[64];
    HANDLE d, d2;
    test_name(name, "dup");
    HANDLE m = create_named(name, 4096);
    ASSERT(m != NULL);
    ASSERT(DuplicateHandle(GetCurrentProcess(), m, GetCurrentProcess(), &d, FILE_MAP_READ, FALSE,
                           0));
    ASSERT(d != m);
    ASSERT_ERR(!MapViewOfFile(d, FILE_MAP_WRITE, 0, 0, 0), ERROR_ACCESS_DENIED);
    void *v = MapViewOfFile(d, FILE_MAP_READ, 0, 0, 0);
    ASSERT(v != NULL);
    UnmapViewOfFile(v);
    ASSERT(DuplicateHandle(GetCurrentProcess(), m, GetCurrentProcess(), &d2, 0, FALSE,
                           DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE));
    if (d2 != m) /* Wine may hand the closed source's value out again */
        ASSERT_ERR(!CloseHandle(m), ERROR_INVALID_HANDLE); /* the source was closed */
    v = MapViewOfFile(d2, FILE_MAP_WRITE, 0, 0, 0);
    ASSERT(v != NULL);
    UnmapViewOfFile(v);
    ASSERT(CloseHandle(d2));
    HANDLE o = OpenFileMappingA(FILE_MAP_READ, FALSE, name); /* d keeps the name */
    ASSERT(o != NULL);
    CloseHandle(o);
    ASSERT(CloseHandle(d));
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, name), ERROR_FILE_NOT_FOUND);
    ASSERT_ERR(!DuplicateHandle(GetCurrentProcess(), (HANDLE)(ULONG_PTR)0x7777770,
                                GetCurrentProcess(), &d, 0, FALSE, DUPLICATE_SAME_ACCESS),
               ERROR_INVALID_HANDLE);
}

static WCHAR *long_name(size_t units, WCHAR fill)
{
    WCHAR *w = malloc((units + 1) * sizeof *w);
    ASSERT(w != NULL);
    char prefix[64];
    test_name(prefix, "long");
    size_t n = strlen(prefix);
    for (size_t i = 0; i < units; i++)
        w[i] = i < n ? (WCHAR)prefix[i] : fill;
    w[units] = 0;
    return w;
}

/* Object names are counted strings of at most 32,767 UTF-16 units: that many work, more
 * are refused with ERROR_FILENAME_EXCED_RANGE (Windows' STATUS_NAME_TOO_LONG). */
TEST(names_up_to_32767_units)
{
    WCHAR *w = long_name(32767, 'x');
    HANDLE m = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, w);
    ASSERT(m != NULL);
    HANDLE o = OpenFileMappingW(FILE_MAP_READ, FALSE, w);
    ASSERT(o != NULL);
    CloseHandle(o);
    CloseHandle(m);
    free(w);
    /* Wine cuts a longer name to 32,766 units instead of refusing it. */
    if (on_wine())
        return;
    static const size_t too_long[] = {32768, 600000};
    for (size_t i = 0; i < 2; i++) {
        w = long_name(too_long[i], 'y');
        ASSERT_ERR(!CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, w),
                   ERROR_FILENAME_EXCED_RANGE);
        ASSERT_ERR(!OpenFileMappingW(FILE_MAP_READ, FALSE, w), ERROR_FILENAME_EXCED_RANGE);
        ASSERT_ERR(!CreateEventW(NULL, FALSE, FALSE, w), ERROR_FILENAME_EXCED_RANGE);
        ASSERT_ERR(!OpenMutexW(SYNCHRONIZE, FALSE, w), ERROR_FILENAME_EXCED_RANGE);
        free(w);
    }
}
