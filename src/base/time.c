/* Wall-clock time: FILETIME (100 ns units from 1601-01-01 UTC) and SYSTEMTIME (its calendar
 * fields), UTC and local. The calendar is the proleptic Gregorian one Windows uses, computed
 * here rather than through gmtime/timegm so that every year Windows accepts (1601..30827)
 * converts the same on glibc and musl. */
#include <time.h>

#include "base/base.h"

#define TICKS_PER_SEC 10000000ULL
#define TICKS_PER_DAY (86400ULL * TICKS_PER_SEC)
#define EPOCH_DIFF 11644473600LL /* seconds from 1601-01-01 to 1970-01-01 */

static uint64_t ticks_from_timespec(const struct timespec *t)
{
    return (uint64_t)((t->tv_sec + EPOCH_DIFF) * (int64_t)TICKS_PER_SEC + t->tv_nsec / 100);
}

void mmf__filetime_to_timespec(uint64_t ticks, struct timespec *t)
{
    t->tv_sec = (time_t)(ticks / TICKS_PER_SEC) - EPOCH_DIFF;
    t->tv_nsec = (long)(ticks % TICKS_PER_SEC) * 100;
}

uint64_t mmf__filetime_ticks(const FILETIME *ft)
{
    return (uint64_t)ft->dwHighDateTime << 32 | ft->dwLowDateTime;
}

static void set_ticks(FILETIME *ft, uint64_t v)
{
    ft->dwLowDateTime = (DWORD)v;
    ft->dwHighDateTime = (DWORD)(v >> 32);
}

void mmf__to_filetime(const struct timespec *t, FILETIME *ft)
{
    set_ticks(ft, ticks_from_timespec(t));
}

static uint64_t now_ticks(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return ticks_from_timespec(&t);
}

/* Days from 0000-03-01 of the year-shifted calendar (March first, so February's leap day
 * comes last) to y-m-d, and back: eras of 400 years, 146097 days each. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = y / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t era = z / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

#define DAY_1601 days_from_civil(1601, 1, 1)

static bool leap(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(unsigned y, unsigned m)
{
    static const unsigned char n[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return n[m - 1] + (m == 2 && leap(y));
}

/* The largest FILETIME a SYSTEMTIME can show: 30827-12-31 23:59:59.999 and a bit. */
#define MAX_TICKS 0x7FFFFFFFFFFFFFFFULL

static void to_systemtime(uint64_t ticks, SYSTEMTIME *st)
{
    uint64_t days = ticks / TICKS_PER_DAY, rest = ticks % TICKS_PER_DAY;
    int64_t y;
    unsigned m, d;
    civil_from_days((int64_t)days + DAY_1601, &y, &m, &d);
    st->wYear = (WORD)y;
    st->wMonth = (WORD)m;
    st->wDay = (WORD)d;
    st->wDayOfWeek = (WORD)((days + 1) % 7); /* 1601-01-01 was a Monday */
    st->wHour = (WORD)(rest / (3600 * TICKS_PER_SEC));
    st->wMinute = (WORD)(rest / (60 * TICKS_PER_SEC) % 60);
    st->wSecond = (WORD)(rest / TICKS_PER_SEC % 60);
    st->wMilliseconds = (WORD)(rest / 10000 % 1000);
}

static int from_systemtime(const SYSTEMTIME *st, uint64_t *ticks)
{
    if (st->wYear < 1601 || st->wYear > 30827 || st->wMonth < 1 || st->wMonth > 12 ||
        st->wDay < 1 || st->wDay > month_days(st->wYear, st->wMonth) || st->wHour > 23 ||
        st->wMinute > 59 || st->wSecond > 59 || st->wMilliseconds > 999)
        return MMF__W(ERROR_INVALID_PARAMETER);
    uint64_t days = (uint64_t)(days_from_civil(st->wYear, st->wMonth, st->wDay) - DAY_1601);
    *ticks = days * TICKS_PER_DAY +
             ((st->wHour * 60ULL + st->wMinute) * 60 + st->wSecond) * TICKS_PER_SEC +
             st->wMilliseconds * 10000ULL;
    return 0;
}

/* The local time zone's offset from UTC now, in ticks (Windows converts FILETIMEs with the
 * current bias, daylight saving included, whatever date they hold). */
static int64_t local_bias(void)
{
    time_t now = time(NULL);
    struct tm tm;
    if (!localtime_r(&now, &tm))
        return 0;
    return (int64_t)tm.tm_gmtoff * (int64_t)TICKS_PER_SEC;
}

void WINAPI GetSystemTimeAsFileTime(LPFILETIME ft)
{
    set_ticks(ft, now_ticks());
}

void WINAPI GetSystemTimePreciseAsFileTime(LPFILETIME ft)
{
    set_ticks(ft, now_ticks());
}

void WINAPI GetSystemTime(LPSYSTEMTIME st)
{
    to_systemtime(now_ticks(), st);
}

void WINAPI GetLocalTime(LPSYSTEMTIME st)
{
    to_systemtime((uint64_t)((int64_t)now_ticks() + local_bias()), st);
}

BOOL WINAPI SystemTimeToFileTime(const SYSTEMTIME *st, LPFILETIME ft)
{
    uint64_t v;
    int s = from_systemtime(st, &v);
    if (s < 0)
        return mmf__fail(s), FALSE;
    set_ticks(ft, v);
    return TRUE;
}

BOOL WINAPI FileTimeToSystemTime(const FILETIME *ft, LPSYSTEMTIME st)
{
    uint64_t v = mmf__filetime_ticks(ft);
    if (v > MAX_TICKS)
        return mmf__fail(MMF__W(ERROR_INVALID_PARAMETER)), FALSE;
    to_systemtime(v, st);
    return TRUE;
}

/* Shifts by the bias; a result outside FILETIME's range fails as Windows' does. */
static BOOL shift(const FILETIME *in, LPFILETIME out, int64_t bias)
{
    uint64_t v = mmf__filetime_ticks(in);
    if ((bias < 0 && v < (uint64_t)-bias) || (bias > 0 && v > MAX_TICKS - (uint64_t)bias))
        return mmf__fail(MMF__W(ERROR_INVALID_PARAMETER)), FALSE;
    set_ticks(out, v + (uint64_t)bias);
    return TRUE;
}

BOOL WINAPI FileTimeToLocalFileTime(const FILETIME *ft, LPFILETIME local)
{
    return shift(ft, local, local_bias());
}

BOOL WINAPI LocalFileTimeToFileTime(const FILETIME *local, LPFILETIME ft)
{
    return shift(local, ft, -local_bias());
}

LONG WINAPI CompareFileTime(const FILETIME *a, const FILETIME *b)
{
    uint64_t x = mmf__filetime_ticks(a), y = mmf__filetime_ticks(b);
    return (x > y) - (x < y);
}
