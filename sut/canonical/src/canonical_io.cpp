// canonical/raft's struct raft_io and struct raft_fsm, as C callbacks that
// hand each call to the CanonicalNode behind io->data (or fsm->data); and
// the disk, network and clock the node gives the library through them.
// Nothing here reads a clock, draws randomness or starts a thread: time is
// the host's (Env::local_clock_us), randomness the node's own stream.
#include <cstring>

#include "canonical_node.hpp"
#include "raftsim/core/assert.hpp"

namespace raftsim::sut::canonical {
namespace {

CanonicalNode& node_of(struct raft_io* io) {
    return *static_cast<CanonicalNode*>(io->impl);
}

CanonicalNode& node_of(struct raft_fsm* fsm) {
    return *static_cast<CanonicalNode*>(fsm->data);
}

extern "C" {

int c_io_init(struct raft_io*, raft_id, const char*) {
    return 0;
}
void c_io_close(struct raft_io* io, raft_io_close_cb cb) {
    node_of(io).io_close(cb);
}
int c_io_load(struct raft_io* io, raft_term* term, raft_id* voted_for,
              struct raft_snapshot** snapshot, raft_index* start_index,
              struct raft_entry* entries[], size_t* n_entries) {
    return node_of(io).io_load(term, voted_for, snapshot, start_index, entries, n_entries);
}
int c_io_start(struct raft_io* io, unsigned msecs, raft_io_tick_cb tick, raft_io_recv_cb recv) {
    return node_of(io).io_start(msecs, tick, recv);
}
int c_io_bootstrap(struct raft_io* io, const struct raft_configuration* conf) {
    return node_of(io).io_bootstrap(conf);
}
int c_io_recover(struct raft_io*, const struct raft_configuration*) {
    return RAFT_NOTFOUND;  // the harness never asks for a forced recovery
}
int c_io_set_term(struct raft_io* io, raft_term term) {
    return node_of(io).io_set_term(term);
}
int c_io_set_vote(struct raft_io* io, raft_id server_id) {
    return node_of(io).io_set_vote(server_id);
}
int c_io_send(struct raft_io* io, struct raft_io_send* req, const struct raft_message* message,
              raft_io_send_cb cb) {
    return node_of(io).io_send(req, message, cb);
}
int c_io_append(struct raft_io* io, struct raft_io_append* req, const struct raft_entry entries[],
                unsigned n, raft_io_append_cb cb) {
    return node_of(io).io_append(req, entries, n, cb);
}
int c_io_truncate(struct raft_io* io, raft_index index) {
    return node_of(io).io_truncate(index);
}
int c_io_snapshot_put(struct raft_io* io, unsigned trailing, struct raft_io_snapshot_put* req,
                      const struct raft_snapshot* snapshot, raft_io_snapshot_put_cb cb) {
    return node_of(io).io_snapshot_put(trailing, req, snapshot, cb);
}
int c_io_snapshot_get(struct raft_io* io, struct raft_io_snapshot_get* req,
                      raft_io_snapshot_get_cb cb) {
    return node_of(io).io_snapshot_get(req, cb);
}
raft_time c_io_time(struct raft_io* io) {
    return node_of(io).io_time();
}
int c_io_random(struct raft_io* io, int min, int max) {
    return node_of(io).io_random(min, max);
}
int c_io_async_work(struct raft_io*, struct raft_io_async_work*, raft_io_async_work_cb) {
    return RAFT_NOTFOUND;  // only a version 3 FSM with snapshot_async uses it (notes F2)
}

int c_fsm_apply(struct raft_fsm* fsm, const struct raft_buffer* buf, void** result) {
    *result = nullptr;
    return node_of(fsm).fsm_apply(buf);
}
int c_fsm_snapshot(struct raft_fsm* fsm, struct raft_buffer* bufs[], unsigned* n_bufs) {
    return node_of(fsm).fsm_snapshot(bufs, n_bufs);
}
int c_fsm_restore(struct raft_fsm* fsm, struct raft_buffer* buf) {
    return node_of(fsm).fsm_restore(buf);
}

#if RAFTSIM_CANONICAL_LEVELLED_TRACER
void c_tracer_emit(struct raft_tracer*, const char*, unsigned, const char*, unsigned, const char*) {
}
#else
void c_tracer_emit(struct raft_tracer*, const char*, int, const char*) {}
#endif

}  // extern "C"

}  // namespace

void CanonicalNode::wire() {
    io_.version = 2;
    io_.impl = this;  // io->data is the library's: raft_init points it at the struct raft
    io_.init = c_io_init;
    io_.close = c_io_close;
    io_.load = c_io_load;
    io_.start = c_io_start;
    io_.bootstrap = c_io_bootstrap;
    io_.recover = c_io_recover;
    io_.set_term = c_io_set_term;
    io_.set_vote = c_io_set_vote;
    io_.send = c_io_send;
    io_.append = c_io_append;
    io_.truncate = c_io_truncate;
    io_.snapshot_put = c_io_snapshot_put;
    io_.snapshot_get = c_io_snapshot_get;
    io_.time = c_io_time;
    io_.random = c_io_random;
    io_.async_work = c_io_async_work;
    fsm_.version = 1;  // no snapshot_finalize: the library frees the buffers (F3)
    fsm_.data = this;
    fsm_.apply = c_fsm_apply;
    fsm_.snapshot = c_fsm_snapshot;
    fsm_.restore = c_fsm_restore;
    // Never NULL (configuration.c reads it) and never the process-global
    // stderr tracer, which reads the wall clock (notes F11, O1).
    tracer_.impl = nullptr;
    tracer_.enabled = false;
    tracer_.emit = c_tracer_emit;
}

}  // namespace raftsim::sut::canonical
