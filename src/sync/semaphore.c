/* Semaphores: STATE is the count, AUX the maximum. */
#include "sync/sync.h"

static enum mmf__take take(struct mmf__sync *s, uint32_t pulse0)
{
    (void)pulse0;
    uint32_t c = atomic_load(&s->w[MMF__S_STATE]);
    while ((int32_t)c > 0)
        if (atomic_compare_exchange_weak(&s->w[MMF__S_STATE], &c, c - 1))
            return MMF__TAKE_OK;
    return MMF__TAKE_NO;
}

static void untake(struct mmf__sync *s, enum mmf__take how)
{
    (void)how;
    atomic_fetch_add(&s->w[MMF__S_STATE], 1);
    mmf__sync_changed(s, INT32_MAX);
}

struct release {
    LONG n;
    LONG *prev;
};

static int release(struct mmf__sync *s, DWORD access, void *ctx)
{
    const struct release *r = ctx;
    _Atomic uint32_t *w = s->w;
    if (!(access & SEMAPHORE_MODIFY_STATE))
        return MMF__W(ERROR_ACCESS_DENIED);
    if (r->n <= 0)
        return MMF__W(ERROR_INVALID_PARAMETER);
    uint32_t c = atomic_load(&w[MMF__S_STATE]);
    do {
        int64_t max = (int32_t)atomic_load(&w[MMF__S_AUX]);
        if ((int64_t)(int32_t)c + r->n > max)
            return MMF__W(ERROR_TOO_MANY_POSTS); /* count unchanged */
    } while (!atomic_compare_exchange_weak(&w[MMF__S_STATE], &c, c + (uint32_t)r->n));
    if (r->prev)
        *r->prev = (LONG)c;
    mmf__sync_changed(s, r->n);
    return 0;
}

static int signal_op(struct mmf__object *obj, DWORD access)
{
    struct mmf__sync *s = (struct mmf__sync *)obj;
    struct release r = {1, NULL};
    return release(s, access, &r);
}

static void describe(const uint32_t *w, struct mmf_object_info *info)
{
    info->count = (int32_t)w[MMF__S_STATE];
    info->maximum = (int32_t)w[MMF__S_AUX];
    info->signaled = info->count > 0;
}

static const struct mmf__wait_ops wait_ops = {
    .take = take,
    .untake = untake,
};

const struct mmf__type mmf__semaphore_type = {
    .name = "Semaphore",
    .kind = MMF__KIND_SEMAPHORE,
    .generic = {STANDARD_RIGHTS_READ | SEMAPHORE_QUERY_STATE,
                STANDARD_RIGHTS_WRITE | SEMAPHORE_MODIFY_STATE,
                STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE, SEMAPHORE_ALL_ACCESS},
    .valid = SEMAPHORE_ALL_ACCESS,
    .destroy = mmf__sync_destroy,
    .build_named = mmf__sync_build_named,
    .describe = describe,
    .signal = signal_op,
    .wait = &wait_ops,
    .export_obj = mmf__sync_export,
    .import_obj = mmf__sync_import,
    .lend = mmf__sync_lend,
};
MMF__TYPE_ROW(mmf__semaphore_type);

BOOL WINAPI ReleaseSemaphore(HANDLE h, LONG n, LPLONG prev)
{
    struct release r = {n, prev};
    return mmf__sync_modify(h, &mmf__semaphore_type, release, &r);
}

static bool bad_limits(LONG initial, LONG max)
{
    return max <= 0 || initial < 0 || initial > max;
}

HANDLE WINAPI CreateSemaphoreW(LPSECURITY_ATTRIBUTES sa, LONG initial, LONG max, LPCWSTR name)
{
    struct mmf__sync_request rq = {&mmf__semaphore_type, (uint32_t)initial, (uint32_t)max};
    if (bad_limits(initial, max))
        return mmf__fail(MMF__W(ERROR_INVALID_PARAMETER)), NULL;
    return mmf__sync_create(&rq, sa, name, name ? mmf__wcslen(name) : 0, false);
}

HANDLE WINAPI CreateSemaphoreA(LPSECURITY_ATTRIBUTES sa, LONG initial, LONG max, LPCSTR name)
{
    struct mmf__sync_request rq = {&mmf__semaphore_type, (uint32_t)initial, (uint32_t)max};
    if (bad_limits(initial, max))
        return mmf__fail(MMF__W(ERROR_INVALID_PARAMETER)), NULL;
    return mmf__sync_create_a(&rq, sa, name, false);
}

HANDLE WINAPI OpenSemaphoreW(DWORD access, BOOL inherit, LPCWSTR name)
{
    return mmf__sync_open(&mmf__semaphore_type, access, inherit, name);
}

HANDLE WINAPI OpenSemaphoreA(DWORD access, BOOL inherit, LPCSTR name)
{
    return mmf__sync_open_a(&mmf__semaphore_type, access, inherit, name);
}
