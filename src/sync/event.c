/* Events: auto-reset and manual-reset, SetEvent, ResetEvent, PulseEvent.
 *
 * STATE is the signaled flag, AUX the manual-reset flag. PulseEvent bumps the PULSE
 * generation: a wait that began before it counts the event as signaled once (all such
 * waits of a manual event, the first to take PULSE_TOKEN of an automatic one). */
#include "sync/sync.h"

static enum mmf__take take(struct mmf__sync *s, uint32_t pulse0)
{
    _Atomic uint32_t *w = s->w;
    bool manual = atomic_load(&w[MMF__S_AUX]) != 0;
    uint32_t one = 1;
    if (manual ? atomic_load(&w[MMF__S_STATE]) != 0
               : atomic_compare_exchange_strong(&w[MMF__S_STATE], &one, 0))
        return MMF__TAKE_OK;
    uint32_t gen = atomic_load(&w[MMF__S_PULSE]);
    if (gen == pulse0)
        return MMF__TAKE_NO;
    if (manual)
        return MMF__TAKE_OK;
    uint32_t token = atomic_load(&w[MMF__S_PULSE_TOKEN]);
    if (token && (int32_t)(token - pulse0) > 0 &&
        atomic_compare_exchange_strong(&w[MMF__S_PULSE_TOKEN], &token, 0))
        return MMF__TAKE_OK;
    return MMF__TAKE_NO;
}

static void untake(struct mmf__sync *s, enum mmf__take how)
{
    (void)how;
    if (atomic_load(&s->w[MMF__S_AUX]))
        return; /* a manual event was not consumed */
    atomic_store(&s->w[MMF__S_STATE], 1);
    mmf__sync_changed(s, INT32_MAX);
}

enum event_op { EV_SET, EV_RESET, EV_PULSE };

static int event_op(struct mmf__sync *s, DWORD access, void *ctx)
{
    _Atomic uint32_t *w = s->w;
    enum event_op op = *(const enum event_op *)ctx;
    if (!(access & EVENT_MODIFY_STATE))
        return MMF__W(ERROR_ACCESS_DENIED);
    if (op == EV_RESET) {
        atomic_store(&w[MMF__S_STATE], 0);
        return 0;
    }
    if (op == EV_SET) {
        /* Release is enough: the SEQ increment that follows (a full barrier) publishes it
         * before the waiter count is read. */
        atomic_store_explicit(&w[MMF__S_STATE], 1, memory_order_release);
    } else {
        uint32_t gen = atomic_fetch_add(&w[MMF__S_PULSE], 1) + 1;
        if (!atomic_load(&w[MMF__S_AUX]))
            atomic_store(&w[MMF__S_PULSE_TOKEN], gen ? gen : 1);
        atomic_store(&w[MMF__S_STATE], 0);
    }
    mmf__sync_changed(s, INT32_MAX);
    return 0;
}

static int signal_op(struct mmf__object *obj, DWORD access)
{
    struct mmf__sync *s = (struct mmf__sync *)obj;
    enum event_op op = EV_SET;
    return event_op(s, access, &op);
}

static void describe(const uint32_t *w, struct mmf_object_info *info)
{
    info->signaled = w[MMF__S_STATE] != 0;
    info->manual_reset = w[MMF__S_AUX] != 0;
}

static const struct mmf__wait_ops wait_ops = {
    .take = take,
    .untake = untake,
};

const struct mmf__type mmf__event_type = {
    .name = "Event",
    .kind = MMF__KIND_EVENT,
    .generic = {STANDARD_RIGHTS_READ | EVENT_QUERY_STATE,
                STANDARD_RIGHTS_WRITE | EVENT_MODIFY_STATE,
                STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE, EVENT_ALL_ACCESS},
    .valid = EVENT_ALL_ACCESS,
    .destroy = mmf__sync_destroy,
    .build_named = mmf__sync_build_named,
    .describe = describe,
    .signal = signal_op,
    .wait = &wait_ops,
    .export_obj = mmf__sync_export,
    .import_obj = mmf__sync_import,
    .lend = mmf__sync_lend,
};
MMF__TYPE_ROW(mmf__event_type);

static BOOL run(HANDLE h, enum event_op op)
{
    return mmf__sync_modify(h, &mmf__event_type, event_op, &op);
}

BOOL WINAPI SetEvent(HANDLE h)
{
    return run(h, EV_SET);
}

BOOL WINAPI ResetEvent(HANDLE h)
{
    return run(h, EV_RESET);
}

BOOL WINAPI PulseEvent(HANDLE h)
{
    return run(h, EV_PULSE);
}

HANDLE WINAPI CreateEventW(LPSECURITY_ATTRIBUTES sa, BOOL manual, BOOL initial, LPCWSTR name)
{
    struct mmf__sync_request rq = {&mmf__event_type, initial != 0, manual != 0};
    return mmf__sync_create(&rq, sa, name, name ? mmf__wcslen(name) : 0, false);
}

HANDLE WINAPI CreateEventA(LPSECURITY_ATTRIBUTES sa, BOOL manual, BOOL initial, LPCSTR name)
{
    struct mmf__sync_request rq = {&mmf__event_type, initial != 0, manual != 0};
    return mmf__sync_create_a(&rq, sa, name, false);
}

HANDLE WINAPI OpenEventW(DWORD access, BOOL inherit, LPCWSTR name)
{
    return mmf__sync_open(&mmf__event_type, access, inherit, name);
}

HANDLE WINAPI OpenEventA(DWORD access, BOOL inherit, LPCSTR name)
{
    return mmf__sync_open_a(&mmf__event_type, access, inherit, name);
}
