// The host's disk (sut::Storage) under a torn crash: the unsynced writes are
// counted in units (an entry, a hard-state record, a truncation, a snapshot),
// and keeping any prefix of them leaves a durable state a restart accepts.
#include "raftsim/sut/storage.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <string_view>
#include <tuple>
#include <vector>

#include "raftsim/core/config.hpp"
#include "raftsim/core/node.hpp"

namespace raftsim::sut {
namespace {

using core::Entry;
using core::HardState;
using core::Index;
using core::Term;

Entry command(Term term, Index index, std::uint8_t byte) {
    return Entry{.term = term, .index = index, .type = core::EntryType::command, .data = {byte}};
}

/// The bootstrap configuration at index 1, then commands of `term` from 2.
std::vector<Entry> log_through(Term term, Index last) {
    std::vector<Entry> entries{Entry{.term = 1,
                                     .index = 1,
                                     .type = core::EntryType::configuration,
                                     .configuration = core::Configuration::voters(3)}};
    for (Index index = 2; index <= last; ++index) {
        entries.push_back(command(term, index, static_cast<std::uint8_t>(index)));
    }
    return entries;
}

/// Term 1 (voted for node 1) and entries 1..10 of term 1, all durable.
Storage ten_entries() {
    Storage storage;
    core::Ready ready;
    ready.hard_state = HardState{.term = 1, .voted_for = 1};
    ready.entries = log_through(1, 10);
    storage.persist(ready);
    REQUIRE_FALSE(storage.has_unsynced());
    REQUIRE(storage.unsynced_units() == 0);
    return storage;
}

core::Snapshot snapshot_at(Index index, Term term) {
    return core::Snapshot{.index = index,
                          .term = term,
                          .configuration = core::Configuration::voters(3),
                          .configuration_index = 1,
                          .data = {static_cast<std::uint8_t>(index)}};
}

Index last_index(const Storage& storage) {
    return storage.log_base_index() + storage.durable_entries().size();
}

Term last_term(const Storage& storage) {
    return storage.durable_entries().empty() ? storage.durable_state().log_base_term
                                             : storage.durable_entries().back().term;
}

/// Our core rebuilds a node from the durable state: it asserts the
/// DurableState contract (contiguous log, terms within the hard state's,
/// the snapshot inside the log's reach), so a torn prefix must keep it.
void restart_accepts(const Storage& storage) {
    const core::ConfigResult config = core::to_ticks(core::DurationConfig{}, 10'000);
    REQUIRE(config.error == core::ConfigError::ok);
    const core::Node node = core::Node::restart(
        core::NodeOptions{.id = 1, .config = config.config, .seed = 7}, storage.durable_state());
    CHECK(node.invariants_hold());
}

TEST_CASE("storage: a torn crash keeps a prefix of a Ready's hard state, truncation and entries",
          "[storage]") {
    // A new term's hard state, then entries 9..11 of term 2 replacing 9..10:
    // units hard state, truncation from 9, entry 9, entry 10, entry 11.
    const auto [kept, term, last, tail_term] = GENERATE(table<std::uint64_t, Term, Index, Term>({
        {0, 1, 10, 1},  // nothing: the state synced before
        {1, 2, 10, 1},  // the hard state alone
        {2, 2, 8, 1},   // the truncation kept, its re-append not
        {3, 2, 9, 2},   // the first replacing entry
        {5, 2, 11, 2},  // all of it
    }));
    Storage storage = ten_entries();
    core::Ready ready;
    ready.hard_state = HardState{.term = 2, .voted_for = 2};
    ready.entries = {command(2, 9, 'a'), command(2, 10, 'b'), command(2, 11, 'c')};
    storage.write(ready);
    REQUIRE(storage.unsynced_units() == 5);
    storage.keep_unsynced_prefix(kept);
    CHECK_FALSE(storage.has_unsynced());
    CHECK(storage.unsynced_units() == 0);
    CHECK(storage.durable_hard_state().term == term);
    CHECK(last_index(storage) == last);
    CHECK(last_term(storage) == tail_term);
    restart_accepts(storage);
}

TEST_CASE("storage: an append past the log's end has no truncation unit", "[storage]") {
    const std::uint64_t kept = GENERATE(0, 1, 2);
    Storage storage = ten_entries();
    core::Ready ready;
    ready.entries = {command(1, 11, 'a'), command(1, 12, 'b')};
    storage.write(ready);
    REQUIRE(storage.unsynced_units() == 2);
    storage.keep_unsynced_prefix(kept);
    CHECK(last_index(storage) == 10 + kept);
    CHECK(storage.durable_entries().front().index == 1);
    restart_accepts(storage);
}

TEST_CASE("storage: a torn crash keeps a snapshot without its compaction, or with it",
          "[storage]") {
    // The node's own snapshot through 6, keeping entries after 4, and an
    // entry appended in the same Ready: units snapshot, compaction, entry.
    const auto [kept, snapshot_index, base, last] =
        GENERATE(table<std::uint64_t, Index, Index, Index>({
            {0, 0, 0, 10},
            {1, 6, 0, 10},  // the snapshot, the log not yet compacted
            {2, 6, 4, 10},
            {3, 6, 4, 11},
        }));
    Storage storage = ten_entries();
    core::Ready ready;
    ready.snapshot = snapshot_at(6, 1);
    ready.compaction = core::LogCompaction{.base_index = 4, .base_term = 1};
    ready.entries = {command(1, 11, 'x')};
    storage.write(ready);
    REQUIRE(storage.unsynced_units() == 3);
    storage.keep_unsynced_prefix(kept);
    const std::optional<core::Snapshot>& snapshot = storage.durable_snapshot();
    CHECK((snapshot.has_value() ? snapshot->index : 0) == snapshot_index);
    CHECK(storage.log_base_index() == base);
    CHECK(last_index(storage) == last);
    restart_accepts(storage);
}

TEST_CASE(
    "storage: an installed snapshot and its discard of the log are one unit, after the "
    "term",
    "[storage]") {
    // A leader of term 3 installs a snapshot through 15, of term 3, on a
    // node in term 1 whose log it does not match: the term comes first, so
    // no prefix holds a snapshot of a term the durable term never reached.
    const auto [kept, term, snapshot_index, last] =
        GENERATE(table<std::uint64_t, Term, Index, Index>({
            {0, 1, 0, 10},
            {1, 3, 0, 10},   // the term alone
            {2, 3, 15, 15},  // the snapshot, the old log gone with it
            {3, 3, 15, 16},
        }));
    Storage storage = ten_entries();
    core::Ready ready;
    ready.snapshot = snapshot_at(15, 3);
    ready.compaction = core::LogCompaction{.base_index = 15, .base_term = 3, .discard_all = true};
    ready.hard_state = HardState{.term = 3, .voted_for = 0};
    ready.entries = {command(3, 16, 'y')};
    storage.write(ready);
    REQUIRE(storage.unsynced_units() == 3);
    storage.keep_unsynced_prefix(kept);
    CHECK(storage.durable_hard_state().term == term);
    const std::optional<core::Snapshot>& snapshot = storage.durable_snapshot();
    CHECK((snapshot.has_value() ? snapshot->index : 0) == snapshot_index);
    CHECK(last_index(storage) == last);
    CHECK(last_term(storage) <= storage.durable_hard_state().term);
    restart_accepts(storage);
}

TEST_CASE("storage: separate operations tear in issue order, one unit per entry", "[storage]") {
    // canonical/raft's disk: entries 11..12 appended, then a truncate from
    // 12 and an append of a new 12..13, none completed yet. Units: 11, 12,
    // the truncate, 12', 13'.
    const auto [kept, last, tail] = GENERATE(table<std::uint64_t, Index, std::uint8_t>({
        {0, 10, 10},
        {2, 12, 'b'},
        {3, 11, 'a'},  // the truncate kept, the re-append not
        {4, 12, 'c'},
        {5, 13, 'd'},
    }));
    Storage storage = ten_entries();
    storage.set_hard_state(HardState{.term = 2, .voted_for = 3});
    storage.append({command(2, 11, 'a'), command(2, 12, 'b')});
    storage.truncate(12);
    storage.append({command(2, 12, 'c'), command(2, 13, 'd')});
    REQUIRE(storage.unsynced_units() == 5);
    storage.keep_unsynced_prefix(kept);
    CHECK(last_index(storage) == last);
    CHECK(storage.durable_entries().back().data == core::Payload{tail});
    restart_accepts(storage);
}

TEST_CASE("storage: a synchronous hard state survives a torn crash that keeps nothing",
          "[storage]") {
    Storage storage = ten_entries();
    storage.append({command(1, 11, 'a')});
    storage.set_hard_state(HardState{.term = 4, .voted_for = 2});
    REQUIRE(storage.unsynced_units() == 1);  // the append alone
    storage.keep_unsynced_prefix(0);
    CHECK(storage.durable_hard_state() == HardState{.term = 4, .voted_for = 2});
    CHECK(last_index(storage) == 10);
    restart_accepts(storage);
}

TEST_CASE("storage: a snapshot put is one unit with its compaction", "[storage]") {
    const std::uint64_t kept = GENERATE(0, 1);
    Storage storage = ten_entries();
    storage.put_snapshot(snapshot_at(8, 1), false, 6);
    storage.append({command(1, 11, 'a')});
    REQUIRE(storage.unsynced_units() == 2);
    storage.keep_unsynced_prefix(kept);
    CHECK(storage.log_base_index() == (kept == 0 ? 0 : 6));
    CHECK(storage.durable_snapshot().has_value() == (kept == 1));
    CHECK(last_index(storage) == 10);
    restart_accepts(storage);
}

TEST_CASE("storage: the units count down as writes sync, and a torn crash of all is a sync",
          "[storage]") {
    Storage storage = ten_entries();
    storage.append({command(1, 11, 'a'), command(1, 12, 'b')});
    storage.truncate(12);
    CHECK(storage.unsynced_units() == 3);
    storage.sync_oldest();
    CHECK(storage.unsynced_units() == 1);
    Storage whole = storage;
    whole.keep_unsynced_prefix(1);
    storage.sync();
    CHECK(whole.durable_state().entries == storage.durable_state().entries);
    CHECK(last_index(storage) == 11);
}

/// A Ready that only compacts the log through `index`, naming `term`.
core::Ready compaction_ready(Index index, Term term) {
    core::Ready ready;
    ready.compaction = core::LogCompaction{.base_index = index, .base_term = term};
    return ready;
}

void persist_compaction(Storage& storage, Index index, Term term) {
    core::Ready ready = compaction_ready(index, term);
    storage.persist(ready);
}

/// A snapshot through `index` (term 1) that keeps no trailing entries.
void snapshot_through(Storage& storage, Index index) {
    storage.put_snapshot(snapshot_at(index, 1), false, index);
    storage.sync();
}

void persist_entries(Storage& storage, std::vector<Entry> entries) {
    core::Ready ready;
    ready.entries = std::move(entries);
    storage.persist(ready);
}

struct BreachCase {
    const char* name;
    /// Valid writes first (on ten entries of term 1, all durable).
    std::function<void(Storage&)> prepare;
    /// The write that breaks the contract, synced.
    std::function<void(Storage&)> write;
    std::string_view kind;
};

// Each write below is a bug in the system that issues it; the disk refuses
// it, keeps what it held (a restart still accepts it) and says why.
const std::vector<BreachCase>& breach_cases() {
    static const std::vector<BreachCase> cases{
        {"entries past the log's end", [](Storage&) {},
         [](Storage& s) { persist_entries(s, {command(1, 12, 'x')}); }, "log_gap"},
        {"a separate append past the log's end", [](Storage&) {},
         [](Storage& s) {
             s.append({command(1, 13, 'x')});
             s.sync();
         },
         "log_gap"},
        {"a hard state of an older term", [](Storage& s) { s.set_hard_state({.term = 3}); },
         [](Storage& s) {
             core::Ready ready;
             ready.hard_state = HardState{.term = 2, .voted_for = 2};
             s.persist(ready);
         },
         "term_regressed"},
        {"a synchronous hard state of an older term",
         [](Storage& s) { s.set_hard_state({.term = 3}); },
         [](Storage& s) { s.set_hard_state({.term = 1}); }, "term_regressed"},
        {"an entry of a term not yet stored", [](Storage&) {},
         [](Storage& s) { persist_entries(s, {command(2, 11, 'x')}); }, "entry_above_term"},
        {"entries over the compacted prefix", [](Storage& s) { snapshot_through(s, 5); },
         [](Storage& s) { persist_entries(s, {command(1, 4, 'x')}); }, "write_below_base"},
        {"a truncation into the compacted prefix", [](Storage& s) { snapshot_through(s, 5); },
         [](Storage& s) {
             s.truncate(3);
             s.sync();
         },
         "write_below_base"},
        {"a compaction that names another term than the log's", [](Storage&) {},
         [](Storage& s) { persist_compaction(s, 6, 2); }, "compaction_term_differs"},
        {"a compaction at the base that names another term",
         [](Storage& s) { snapshot_through(s, 5); },
         [](Storage& s) { persist_compaction(s, 5, 0); }, "compaction_term_differs"},
        {"a compaction past the log's end", [](Storage&) {},
         [](Storage& s) { persist_compaction(s, 11, 1); }, "compaction_beyond_log"},
        {"a compaction below the base", [](Storage& s) { snapshot_through(s, 5); },
         [](Storage& s) { persist_compaction(s, 3, 1); }, "compaction_regressed"},
        {"a snapshot no newer than the stored one",
         [](Storage& s) {
             s.put_snapshot(snapshot_at(8, 1), false, 6);
             s.sync();
         },
         [](Storage& s) {
             s.put_snapshot(snapshot_at(8, 1), false, 6);
             s.sync();
         },
         "snapshot_regressed"},
    };
    return cases;
}

TEST_CASE("storage: refuses a write that breaks the disk's contract, keeps what it held",
          "[storage]") {
    for (const BreachCase& c : breach_cases()) {
        CAPTURE(c.name);
        Storage storage = ten_entries();
        c.prepare(storage);
        REQUIRE_FALSE(storage.breach().has_value());
        const core::DurableState before = storage.durable_state();
        c.write(storage);
        REQUIRE(storage.breach().has_value());
        CHECK(storage.breach()->kind == c.kind);
        CHECK_FALSE(storage.breach()->detail.empty());
        const core::DurableState after = storage.durable_state();
        CHECK(after.hard_state.term == before.hard_state.term);
        CHECK(after.log_base_index == before.log_base_index);
        CHECK(after.log_base_term == before.log_base_term);
        CHECK(after.entries == before.entries);
        CHECK(after.snapshot.has_value() == before.snapshot.has_value());
        CHECK_FALSE(storage.has_unsynced());
        restart_accepts(storage);
    }
}

TEST_CASE("storage: the first breach is the one kept; valid writes record none", "[storage]") {
    Storage storage = ten_entries();
    persist_compaction(storage, 5, 1);
    storage.put_snapshot(snapshot_at(8, 1), false, 6);
    persist_entries(storage, {command(1, 9, 'y'), command(1, 10, 'z'), command(1, 11, 'w')});
    storage.truncate(11);
    storage.sync();
    CHECK_FALSE(storage.breach().has_value());
    CHECK(last_index(storage) == 10);
    persist_compaction(storage, 9, 3);
    storage.set_hard_state({.term = 0});
    REQUIRE(storage.breach().has_value());
    CHECK(storage.breach()->kind == "compaction_term_differs");
    CHECK(storage.breach()->detail ==
          "compaction through index 9 names term 3; the log holds term 1 there");
}

}  // namespace
}  // namespace raftsim::sut
