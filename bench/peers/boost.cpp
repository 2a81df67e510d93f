// The same workloads as bench/*.c through Boost.Interprocess (Debian's libboost-dev), what
// a Linux user picks for named shared memory without Wine. Prints the same figure names as
// mmf's programs, so run.sh puts them side by side in its "boost" column:
//   named_create_cycle     shared_memory_object create + truncate 64 KiB + map + touch
//                          every page + unmap + remove (Boost names outlive their holders,
//                          so the name is removed by hand, as mmf's last CloseHandle does)
//   open_close_existing    open_only + close of a name another process created
//   event_round_trip       two named_semaphores between two processes
//   semaphore_in_shm_round_trip  two interprocess_semaphores in a shared segment
//   stream_64k_ring        64 KiB messages through a message_queue of 16, producer process
//                          to consumer, as bench/stream.c's ring
// `boost --turns` runs only the last three (run.sh's loaded pass).
#include <boost/interprocess/ipc/message_queue.hpp>
#include <boost/interprocess/mapped_region.hpp>
#include <boost/interprocess/shared_memory_object.hpp>
#include <boost/interprocess/sync/interprocess_semaphore.hpp>
#include <boost/interprocess/sync/named_semaphore.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include "../floor/floor.h" // now_ns, time_round_trips: the floor's own timing

extern char **environ;
namespace bi = boost::interprocess;

static const std::size_t SIZE = 65536, MSG = 65536, SLOTS = 16;

static void report(const char *name, double value, const char *unit)
{
    std::printf("%s %.4g %s\n", name, value, unit);
    std::fflush(stdout);
}

static pid_t spawn(const char *self, const char *role, const std::string &base)
{
    char *argv[] = {const_cast<char *>(self), const_cast<char *>(role),
                    const_cast<char *>(base.c_str()), nullptr};
    pid_t pid;
    if (posix_spawn(&pid, self, nullptr, nullptr, argv, environ) != 0)
        std::abort();
    return pid;
}

static void join(pid_t pid)
{
    int status;
    waitpid(pid, &status, 0);
}

static std::string base_name(const char *what)
{
    return "mmf-bench-boost-" + std::to_string(getpid()) + "-" + what;
}

// One round trip of a pair of semaphores (named or in shared memory), for floor.h's timer.
template <class Sem> static bool turn(void *ctx, unsigned)
{
    Sem **pair = static_cast<Sem **>(ctx);
    pair[0]->post();
    pair[1]->wait();
    return true;
}

static void create_cycle()
{
    std::string name = base_name("cycle");
    long n = 0;
    double t0 = now_ns(), t;
    do {
        for (int i = 0; i < 16; i++, n++) {
            {
                bi::shared_memory_object shm(bi::create_only, name.c_str(), bi::read_write);
                shm.truncate(SIZE);
                bi::mapped_region r(shm, bi::read_write);
                volatile char *p = static_cast<char *>(r.get_address());
                for (std::size_t k = 0; k < SIZE; k += 4096)
                    p[k] = 1;
            }
            bi::shared_memory_object::remove(name.c_str());
        }
    } while ((t = now_ns() - t0) < 1e9);
    report("named_create_cycle", t / n, "ns");
}

static int holder(const char *name)
{
    bi::shared_memory_object shm(bi::create_only, name, bi::read_write);
    shm.truncate(SIZE);
    return 0; // Boost's name stays after its creator ends
}

static void open_close(const char *self)
{
    std::string name = base_name("held");
    join(spawn(self, "holder", name));
    long n = 0;
    double t0 = now_ns(), t;
    do {
        for (int i = 0; i < 64; i++, n++)
            bi::shared_memory_object shm(bi::open_only, name.c_str(), bi::read_only);
    } while ((t = now_ns() - t0) < 1e9);
    report("open_close_existing", t / n, "ns");
    bi::shared_memory_object::remove(name.c_str());
}

static int named_pong(const std::string &base)
{
    bi::named_semaphore ping(bi::open_only, (base + "-ping").c_str());
    bi::named_semaphore pong(bi::open_only, (base + "-pong").c_str());
    bi::shared_memory_object shm(bi::open_only, (base + "-stop").c_str(), bi::read_write);
    bi::mapped_region r(shm, bi::read_write);
    volatile int *stop = static_cast<int *>(r.get_address());
    for (;;) {
        ping.wait();
        if (*stop)
            return 0;
        pong.post();
    }
}

static void named_round_trip(const char *self)
{
    std::string base = base_name("sem");
    bi::named_semaphore ping(bi::create_only, (base + "-ping").c_str(), 0);
    bi::named_semaphore pong(bi::create_only, (base + "-pong").c_str(), 0);
    bi::shared_memory_object shm(bi::create_only, (base + "-stop").c_str(), bi::read_write);
    shm.truncate(4096);
    bi::mapped_region r(shm, bi::read_write);
    volatile int *stop = static_cast<int *>(r.get_address());
    pid_t child = spawn(self, "named-pong", base);
    bi::named_semaphore *pair[] = {&ping, &pong};
    report("event_round_trip", time_round_trips(turn<bi::named_semaphore>, pair), "ns");
    *stop = 1;
    ping.post();
    join(child);
    bi::named_semaphore::remove((base + "-ping").c_str());
    bi::named_semaphore::remove((base + "-pong").c_str());
    bi::shared_memory_object::remove((base + "-stop").c_str());
}

struct shm_pair {
    bi::interprocess_semaphore ping{0}, pong{0};
    volatile int stop = 0;
};

static int shm_pong(const std::string &base)
{
    bi::shared_memory_object shm(bi::open_only, base.c_str(), bi::read_write);
    bi::mapped_region r(shm, bi::read_write);
    shm_pair *p = static_cast<shm_pair *>(r.get_address());
    for (;;) {
        p->ping.wait();
        if (p->stop)
            return 0;
        p->pong.post();
    }
}

static void shm_round_trip(const char *self)
{
    std::string base = base_name("shmsem");
    bi::shared_memory_object shm(bi::create_only, base.c_str(), bi::read_write);
    shm.truncate(sizeof(shm_pair));
    bi::mapped_region r(shm, bi::read_write);
    shm_pair *p = new (r.get_address()) shm_pair;
    pid_t child = spawn(self, "shm-pong", base);
    bi::interprocess_semaphore *pair[] = {&p->ping, &p->pong};
    report("semaphore_in_shm_round_trip",
           time_round_trips(turn<bi::interprocess_semaphore>, pair), "ns");
    p->stop = 1;
    p->ping.post();
    join(child);
    bi::shared_memory_object::remove(base.c_str());
}

static int producer(const std::string &base)
{
    static char msg[MSG];
    bi::message_queue q(bi::open_only, base.c_str());
    bi::shared_memory_object shm(bi::open_only, (base + "-stop").c_str(), bi::read_only);
    bi::mapped_region r(shm, bi::read_only);
    volatile int *stop = static_cast<int *>(r.get_address());
    std::memset(msg, 'x', sizeof msg);
    while (!*stop)
        q.send(msg, MSG, 0);
    return 0;
}

static void stream(const char *self)
{
    static char msg[MSG];
    std::string base = base_name("mq");
    bi::message_queue q(bi::create_only, base.c_str(), SLOTS, MSG);
    bi::shared_memory_object shm(bi::create_only, (base + "-stop").c_str(), bi::read_write);
    shm.truncate(4096);
    bi::mapped_region r(shm, bi::read_write);
    volatile int *stop = static_cast<int *>(r.get_address());
    pid_t child = spawn(self, "producer", base);
    std::size_t got;
    unsigned prio;
    long n = 0;
    double t0 = now_ns(), t;
    do {
        q.receive(msg, MSG, got, prio);
        n++;
    } while ((n & 15) || (t = now_ns() - t0) < 1e9);
    report("stream_64k_ring", n * (double)MSG / t, "GB/s");
    *stop = 1;
    while (q.try_receive(msg, MSG, got, prio) || waitpid(child, nullptr, WNOHANG) == 0)
        ;
    bi::message_queue::remove(base.c_str());
    bi::shared_memory_object::remove((base + "-stop").c_str());
}

int main(int argc, char **argv)
{
    if (argc == 3) {
        std::string role = argv[1];
        if (role == "holder")
            return holder(argv[2]);
        if (role == "named-pong")
            return named_pong(argv[2]);
        if (role == "shm-pong")
            return shm_pong(argv[2]);
        if (role == "producer")
            return producer(argv[2]);
        return 2;
    }
    if (argc == 1) {
        create_cycle();
        open_close(argv[0]);
    }
    named_round_trip(argv[0]);
    shm_round_trip(argv[0]);
    stream(argv[0]);
    return 0;
}
