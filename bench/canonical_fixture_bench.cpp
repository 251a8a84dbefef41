// Issue 17, benchmark 1, canonical's side: canonical/raft's own in-process
// raft_fixture (raft/fixture.h, from Debian's libraft-dev) on the workload of
// the issue -- 5 voters, 33-byte entries proposed one at a time (the next
// once the leader has applied the last), network latency 25-50 ms, disk
// 10-25 ms, election timeout 1-2 s, snapshot threshold 64 / trailing 128.
// Optionally the leader and one follower are cut off for 1.5 s every 3 s.
// Prints CPU seconds (getrusage), committed entries per CPU-second, events,
// fixture steps and simulated seconds. Not a test: it reads the CPU clock.
//
// Events are counted as bench/issue17_bench.cpp counts them under raftsim:
// one event is one server tick, one message handed to its receiver, or one
// asynchronous disk operation completing. A fixture step (raft_fixture_step,
// src/fixture.c in 0.15) fires exactly one of: a tick (RAFT_FIXTURE_TICK,
// each server every heartbeat timeout), an append, snapshot put or snapshot
// load completing (RAFT_FIXTURE_DISK), a send request's 0-delay completion
// (the socket write; RAFT_FIXTURE_NETWORK) or a message's arrival
// (RAFT_FIXTURE_NETWORK too; dropped if the link is cut). Ticks and disk
// steps are counted by type; deliveries as the receivers' raft_fixture_n_recv
// counters, which only a message handed to a server advances. Send
// completions and arrivals dropped at a cut link are steps but not events
// (raftsim's side leaves out its own such bookkeeping too).
//
// The fixture gives each server one fixed latency, disk latency and
// randomized election timeout (it cannot draw them per message or per
// election): server i gets 25 + 6i ms, 10 + 3i ms and 1000 + 200i ms.
//
//   canonical_fixture_bench ENTRIES [partitioned]
#include <sys/resource.h>

// libraft's headers declare no C linkage of their own.
extern "C" {
#include <raft.h>
#include <raft/fixture.h>
}

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#define N_SERVERS 5
#define ENTRY_BYTES 33

static uint64_t applied[N_SERVERS];

/* raft_init installs a process-global stderr tracer that the fixture's
 * servers emit through; a benchmark measures Raft, not fprintf. */
static void quiet_emit(struct raft_tracer* t, const char* file, int line, const char* message) {
    (void)t;
    (void)file;
    (void)line;
    (void)message;
}
static struct raft_tracer quiet_tracer = {.impl = nullptr, .enabled = false, .emit = quiet_emit};

static int fsm_apply(struct raft_fsm* fsm, const struct raft_buffer* buf, void** result) {
    (void)buf;
    *static_cast<uint64_t*>(fsm->data) += 1;
    *result = nullptr;
    return 0;
}

static int fsm_snapshot(struct raft_fsm* fsm, struct raft_buffer* bufs[], unsigned* n_bufs) {
    *bufs = static_cast<struct raft_buffer*>(raft_malloc(sizeof **bufs));
    (*bufs)[0].len = sizeof(uint64_t);
    (*bufs)[0].base = raft_malloc(sizeof(uint64_t));
    memcpy((*bufs)[0].base, fsm->data, sizeof(uint64_t));
    *n_bufs = 1;
    return 0;
}

static int fsm_restore(struct raft_fsm* fsm, struct raft_buffer* buf) {
    memcpy(fsm->data, buf->base, sizeof(uint64_t));
    raft_free(buf->base);
    return 0;
}

static double cpu_seconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (double)usage.ru_utime.tv_sec + (double)usage.ru_stime.tv_sec +
           ((double)usage.ru_utime.tv_usec + (double)usage.ru_stime.tv_usec) / 1e6;
}

struct StepTally {
    uint64_t steps;
    uint64_t ticks;
    uint64_t disk;
};

static void step(struct raft_fixture* f, struct StepTally* tally) {
    const struct raft_fixture_event* event = raft_fixture_step(f);
    tally->steps += 1;
    tally->ticks += event->type == RAFT_FIXTURE_TICK ? 1 : 0;
    tally->disk += event->type == RAFT_FIXTURE_DISK ? 1 : 0;
}

/* Messages handed to servers so far, of every type but TimeoutNow (0.15's
 * counter array has no room for type 6; no transfer happens here). */
static uint64_t delivered(struct raft_fixture* f) {
    uint64_t total = 0;
    for (unsigned i = 0; i < N_SERVERS; i++) {
        for (int type = RAFT_IO_APPEND_ENTRIES; type <= RAFT_IO_INSTALL_SNAPSHOT; type++) {
            total += raft_fixture_n_recv(f, i, type);
        }
    }
    return total;
}

static void applied_cb(struct raft_apply* req, int status, void* result) {
    (void)status;
    (void)result;
    free(req);
}

static void set_partition(struct raft_fixture* f, unsigned a, unsigned b, int cut) {
    for (unsigned i = 0; i < N_SERVERS; i++) {
        for (unsigned j = 0; j < N_SERVERS; j++) {
            const int a_side = i == a || i == b;
            const int b_side = j == a || j == b;
            if (i == j || a_side == b_side) {
                continue;
            }
            if (cut) {
                raft_fixture_disconnect(f, i, j);
            } else {
                raft_fixture_reconnect(f, i, j);
            }
        }
    }
}

/* Five bootstrapped voters with issue 17's timings, each with its own fixed
 * latencies and election timeout (the fixture cannot draw them per message). */
static int setup_cluster(struct raft_fixture* f, struct raft_fsm fsms[N_SERVERS]) {
    if (raft_fixture_initialize(f) != 0) {
        return -1;
    }
    for (unsigned i = 0; i < N_SERVERS; i++) {
        memset(&fsms[i], 0, sizeof fsms[i]);
        fsms[i].version = 1;
        fsms[i].data = &applied[i];
        fsms[i].apply = fsm_apply;
        fsms[i].snapshot = fsm_snapshot;
        fsms[i].restore = fsm_restore;
        if (raft_fixture_grow(f, &fsms[i]) != 0) {
            return -1;
        }
    }
    struct raft_configuration configuration;
    raft_fixture_configuration(f, N_SERVERS, &configuration);
    raft_fixture_bootstrap(f, &configuration);
    raft_configuration_close(&configuration);
    for (unsigned i = 0; i < N_SERVERS; i++) {
        struct raft* r = raft_fixture_get(f, i);
        r->tracer = &quiet_tracer;
        raft_set_election_timeout(r, 1000);
        raft_set_heartbeat_timeout(r, 100);
        raft_set_snapshot_threshold(r, 64);
        raft_set_snapshot_trailing(r, 128);
        raft_fixture_set_network_latency(f, i, 25 + 6 * i);
        raft_fixture_set_disk_latency(f, i, 10 + 3 * i);
        raft_fixture_set_randomized_election_timeout(f, i, 1000 + 200 * i);
    }
    return 0;
}

int main(int argc, char** argv) {
    const unsigned long entries = argc > 1 ? strtoul(argv[1], nullptr, 10) : 10000;
    const int partitioned = argc > 2 && strcmp(argv[2], "partitioned") == 0;
    struct raft_fixture f;
    struct raft_fsm fsms[N_SERVERS];
    if (setup_cluster(&f, fsms) != 0) {
        return 1;
    }
    raft_fixture_start(&f);
    const double start = cpu_seconds();
    struct StepTally tally = {0, 0, 0};
    const uint64_t delivered_before = delivered(&f);
    unsigned long committed = 0;
    raft_time next_flip = 3000;
    int cut = 0;
    unsigned cut_a = 0, cut_b = 0;
    while (committed < entries) {
        if (partitioned && raft_fixture_time(&f) >= next_flip) {
            if (cut) {
                set_partition(&f, cut_a, cut_b, 0);
                next_flip += 1500;
            } else {
                cut_a = raft_fixture_leader_index(&f);
                cut_a = cut_a == N_SERVERS ? 0 : cut_a;
                cut_b = (cut_a + 1) % N_SERVERS;
                set_partition(&f, cut_a, cut_b, 1);
                next_flip += 1500;
            }
            cut = !cut;
        }
        const unsigned leader = raft_fixture_leader_index(&f);
        if (leader == N_SERVERS) {
            step(&f, &tally);
            continue;
        }
        struct raft* r = raft_fixture_get(&f, leader);
        const raft_index target = raft_last_index(r) + 1;
        struct raft_buffer buf = {.base = raft_malloc(ENTRY_BYTES), .len = ENTRY_BYTES};
        memset(buf.base, 'x', ENTRY_BYTES);
        auto* req = static_cast<struct raft_apply*>(malloc(sizeof(struct raft_apply)));
        if (raft_apply(r, req, &buf, 1, applied_cb) != 0) {
            raft_free(buf.base);
            free(req);
            step(&f, &tally);
            continue;
        }
        /* One at a time: step until the leader applied it or lost office. */
        while (raft_last_applied(r) < target && raft_state(r) == RAFT_LEADER) {
            step(&f, &tally);
        }
        committed += raft_last_applied(r) >= target ? 1 : 0;
    }
    const double cpu = cpu_seconds() - start;
    const uint64_t handed = delivered(&f) - delivered_before;
    const uint64_t events = tally.ticks + handed + tally.disk;
    printf(
        "canonical raft_fixture %s: %lu entries, %.3f CPU s, %.0f entries/CPU-s, %llu events "
        "(%.0f events/CPU-s; ticks %llu, delivered %llu, disk %llu), %llu steps (not counted: "
        "%llu send completions and arrivals dropped at a cut link), %.1f s simulated\n",
        partitioned ? "partitioned" : "fault-free", committed, cpu,
        static_cast<double>(committed) / cpu, (unsigned long long)events,
        static_cast<double>(events) / cpu, (unsigned long long)tally.ticks,
        (unsigned long long)handed, (unsigned long long)tally.disk, (unsigned long long)tally.steps,
        (unsigned long long)(tally.steps - events),
        static_cast<double>(raft_fixture_time(&f)) / 1000.0);
    raft_fixture_close(&f);
    return 0;
}
