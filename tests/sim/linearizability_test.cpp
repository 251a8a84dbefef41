// The linearizability checker on crafted key-value histories: each row is a
// history small enough to judge by hand, with the verdict it must get.
#include "raftsim/sim/history/linearizability.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "kv_history.hpp"

namespace raftsim::sim {
namespace {

using kv_test::cas;
using kv_test::get;
using kv_test::lost;
using kv_test::not_found;
using kv_test::put;
using kv_test::remove;

struct Row {
    std::string name;
    std::vector<Operation> history;
    Verdict verdict;
    /// not_linearizable: the key the violation is on.
    KvKey key = 1;
};

std::vector<Row> register_rows() {
    return {
        {"an empty history is linearizable", {}, Verdict::linearizable},
        {"a read of an absent key is not found",
         {get(1, 1, 1, not_found, 0, 10)},
         Verdict::linearizable},
        {"a read of a value that was never written is not linearizable",
         {put(1, 1, 1, 11, 0, 10), get(2, 2, 1, 99, 20, 30)},
         Verdict::not_linearizable},
        {"a read after a completed write sees it",
         {put(1, 1, 1, 11, 0, 10), get(2, 2, 1, 11, 20, 30)},
         Verdict::linearizable},
        {"a stale read after a completed write is not linearizable",
         {put(1, 1, 1, 11, 0, 10), put(2, 1, 1, 12, 20, 30), get(3, 2, 1, 11, 40, 50)},
         Verdict::not_linearizable},
        {"a read that overlaps a write may see the old value",
         {put(1, 1, 1, 11, 0, 10), put(2, 1, 1, 12, 20, 60), get(3, 2, 1, 11, 30, 40)},
         Verdict::linearizable},
        {"intervals that touch are concurrent",
         {put(1, 1, 1, 11, 0, 10), put(2, 1, 1, 12, 20, 30), get(3, 2, 1, 11, 30, 40)},
         Verdict::linearizable},
        {"overlapping reads may see new then old",
         {put(1, 1, 1, 11, 0, 10), put(2, 1, 1, 12, 20, 100), get(3, 2, 1, 12, 30, 50),
          get(4, 3, 1, 11, 40, 60)},
         Verdict::linearizable},
        {"overlapping reads may see old then new",
         {put(1, 1, 1, 11, 0, 10), put(2, 1, 1, 12, 20, 100), get(3, 2, 1, 11, 30, 50),
          get(4, 3, 1, 12, 40, 60)},
         Verdict::linearizable},
        {"reads in sequence seeing new then old are not linearizable",
         {put(1, 1, 1, 11, 0, 10), put(2, 1, 1, 12, 20, 100), get(3, 2, 1, 12, 30, 40),
          get(4, 3, 1, 11, 50, 60)},
         Verdict::not_linearizable},
    };
}

std::vector<Row> delete_and_cas_rows() {
    return {
        {"a read after a delete sees not found",
         {put(1, 1, 1, 11, 0, 10), remove(2, 1, 1, 20, 30), get(3, 2, 1, not_found, 40, 50)},
         Verdict::linearizable},
        {"a read after a delete that sees the deleted value is not linearizable",
         {put(1, 1, 1, 11, 0, 10), remove(2, 1, 1, 20, 30), get(3, 2, 1, 11, 40, 50)},
         Verdict::not_linearizable},
        {"a CAS from the current value succeeds",
         {put(1, 1, 1, 11, 0, 10), cas(2, 2, 1, 11, 12, true, 20, 30), get(3, 1, 1, 12, 40, 50)},
         Verdict::linearizable},
        {"a CAS that claims success from another value is not linearizable",
         {put(1, 1, 1, 11, 0, 10), put(2, 1, 1, 12, 20, 30), cas(3, 2, 1, 11, 13, true, 40, 50)},
         Verdict::not_linearizable},
        {"a CAS that fails on the current value is not linearizable",
         {put(1, 1, 1, 11, 0, 10), cas(2, 2, 1, 11, 12, false, 20, 30)},
         Verdict::not_linearizable},
        {"a CAS on an absent key fails",
         {cas(1, 2, 1, 11, 12, false, 0, 10), get(2, 1, 1, not_found, 20, 30)},
         Verdict::linearizable},
        {"a read after a successful CAS that sees the old value is not linearizable",
         {put(1, 1, 1, 11, 0, 10), cas(2, 2, 1, 11, 12, true, 20, 30), get(3, 1, 1, 11, 40, 50)},
         Verdict::not_linearizable},
    };
}

std::vector<Row> indeterminate_rows() {
    return {
        {"an indeterminate write that took effect is linearizable",
         {put(1, 1, 1, 11, 0, 10), lost(put(2, 2, 1, 12, 20, 30)), get(3, 3, 1, 12, 100, 110)},
         Verdict::linearizable},
        {"an indeterminate write may take effect long after it gave up",
         {put(1, 1, 1, 11, 0, 10), lost(put(2, 2, 1, 12, 20, 30)), get(3, 3, 1, 11, 100, 110),
          get(4, 3, 1, 12, 200, 210)},
         Verdict::linearizable},
        {"an indeterminate write that never took effect is linearizable",
         {put(1, 1, 1, 11, 0, 10), lost(put(2, 2, 1, 12, 20, 30)), get(3, 3, 1, 11, 100, 110)},
         Verdict::linearizable},
        {"an indeterminate write seen before its invocation is not linearizable",
         {put(1, 1, 1, 11, 0, 10), get(2, 3, 1, 12, 20, 30), lost(put(3, 2, 1, 12, 40, 50))},
         Verdict::not_linearizable},
        {"an indeterminate write cannot take effect twice",
         {lost(put(1, 2, 1, 12, 0, 10)), get(2, 3, 1, 12, 20, 30), put(3, 1, 1, 11, 40, 50),
          get(4, 3, 1, 12, 60, 70)},
         Verdict::not_linearizable},
        {"an indeterminate CAS that took effect is linearizable",
         {put(1, 1, 1, 11, 0, 10), lost(cas(2, 2, 1, 11, 12, false, 20, 30)),
          get(3, 3, 1, 12, 40, 50)},
         Verdict::linearizable},
        {"an indeterminate delete that never took effect is linearizable",
         {put(1, 1, 1, 11, 0, 10), lost(remove(2, 2, 1, 20, 30)), get(3, 3, 1, 11, 40, 50)},
         Verdict::linearizable},
        {"an indeterminate read constrains nothing",
         {put(1, 1, 1, 11, 0, 10), lost(get(2, 2, 1, not_found, 20, 30))},
         Verdict::linearizable},
        {"keys are judged apart: a stale read on key 2 is reported on key 2",
         {put(1, 1, 1, 11, 0, 10), put(2, 1, 2, 21, 0, 10), put(3, 1, 2, 22, 20, 30),
          get(4, 2, 1, 11, 40, 50), get(5, 2, 2, 21, 40, 50)},
         Verdict::not_linearizable,
         2},
    };
}

std::vector<Row> all_rows() {
    std::vector<Row> rows = register_rows();
    for (auto& more : {delete_and_cas_rows(), indeterminate_rows()}) {
        rows.insert(rows.end(), more.begin(), more.end());
    }
    return rows;
}

}  // namespace

TEST_CASE("linearizability: crafted histories get the verdict judged by hand",
          "[linearizability]") {
    for (const Row& row : all_rows()) {
        DYNAMIC_SECTION(row.name) {
            const LinearizabilityResult result = check_linearizability(row.history);
            INFO(render_verdict(result, row.history));
            CHECK(result.verdict == row.verdict);
            if (row.verdict == Verdict::not_linearizable) {
                CHECK(result.key == row.key);
                CHECK_FALSE(result.window.empty());
                CHECK(result.window_minimal);
            }
        }
    }
}

namespace {

const Operation& find_op(const std::vector<Operation>& history, OperationId id) {
    const auto found = std::find_if(history.begin(), history.end(),
                                    [id](const Operation& op) { return op.id == id; });
    REQUIRE(found != history.end());
    return *found;
}

/// True when the ids, in order, are a prefix of some linearization: each
/// output is what the store says, and everything that completed (with a
/// response) before an operation was invoked is placed before it.
bool valid_prefix(const std::vector<Operation>& history, const std::vector<OperationId>& ids) {
    kv_test::Register store;
    std::set<OperationId> placed;
    for (const OperationId id : ids) {
        const Operation& op = find_op(history, id);
        for (const Operation& other : history) {
            const bool precedes = other.status == OpStatus::ok &&
                                  other.complete_us < op.invoke_us && other.key == op.key;
            if (precedes && placed.count(other.id) == 0) {
                return false;
            }
        }
        if (!store.apply(op)) {
            return false;
        }
        placed.insert(id);
    }
    return true;
}

/// Whether `op`'s output may rest on `gone` (which is left out): it read
/// gone's value or swapped from it (or, unanswered, may have), or it found
/// the key absent or failed a CAS and `gone` (a delete; for a CAS anything
/// that may change the value) might have come just before it.
bool rests_on(const Operation& op, const Operation& gone) {
    const bool answered = op.status == OpStatus::ok;
    const bool gone_writes = gone.kind == OpKind::put || gone.kind == OpKind::compare_and_set;
    const bool gone_failed_cas =
        gone.kind == OpKind::compare_and_set && gone.status == OpStatus::ok && !gone.cas_succeeded;
    const bool may_follow = !(op.complete_us < gone.invoke_us);
    if (op.kind == OpKind::get && answered) {
        if (op.read.has_value()) {
            return gone_writes && gone.value == *op.read;
        }
        return gone.kind == OpKind::remove && may_follow;
    }
    if (op.kind != OpKind::compare_and_set) {
        return false;
    }
    if (!answered || op.cas_succeeded) {
        return gone_writes && gone.value == op.expected;
    }
    return gone.kind != OpKind::get && !gone_failed_cas && may_follow;
}

/// The window without `removed`, and without (transitively) every
/// operation whose output may rest on a removed one (of the whole history).
std::vector<Operation> without(const std::vector<Operation>& history,
                               const std::vector<Operation>& window, OperationId removed) {
    std::set<OperationId> gone = {removed};
    for (const Operation& op : history) {
        const bool in_window = std::any_of(window.begin(), window.end(),
                                           [&](const Operation& w) { return w.id == op.id; });
        if (!in_window) {
            gone.insert(op.id);
        }
    }
    for (bool changed = true; changed;) {
        changed = false;
        for (const Operation& op : window) {
            for (const Operation& other : history) {
                if (gone.count(op.id) == 0 && gone.count(other.id) > 0 && rests_on(op, other)) {
                    gone.insert(op.id);
                    changed = true;
                }
            }
        }
    }
    std::vector<Operation> kept;
    for (const Operation& op : window) {
        if (gone.count(op.id) == 0) {
            kept.push_back(op);
        }
    }
    return kept;
}

std::vector<Operation> window_of(const std::vector<Operation>& history,
                                 const LinearizabilityResult& result) {
    std::vector<Operation> window;
    for (const OperationId id : result.window) {
        window.push_back(find_op(history, id));
    }
    return window;
}

}  // namespace

TEST_CASE(
    "linearizability: the window cannot be linearized and removing any one of its "
    "operations (and the reads of its value) makes it linearizable",
    "[linearizability]") {
    for (const Row& row : all_rows()) {
        if (row.verdict != Verdict::not_linearizable) {
            continue;
        }
        DYNAMIC_SECTION(row.name) {
            const LinearizabilityResult result = check_linearizability(row.history);
            REQUIRE(result.verdict == Verdict::not_linearizable);
            const std::vector<Operation> window = window_of(row.history, result);
            CHECK(check_linearizability(window).verdict == Verdict::not_linearizable);
            for (const Operation& op : window) {
                INFO("removing #" << op.id);
                CHECK(check_linearizability(without(row.history, window, op.id)).verdict ==
                      Verdict::linearizable);
            }
        }
    }
}

TEST_CASE("linearizability: the partial linearization reported is a valid prefix",
          "[linearizability]") {
    for (const Row& row : all_rows()) {
        if (row.verdict != Verdict::not_linearizable) {
            continue;
        }
        DYNAMIC_SECTION(row.name) {
            const LinearizabilityResult result = check_linearizability(row.history);
            REQUIRE(result.verdict == Verdict::not_linearizable);
            CHECK(valid_prefix(row.history, result.partial_linearization));
            for (const OperationId id : result.partial_linearization) {
                CHECK(find_op(row.history, id).key == result.key);
            }
        }
    }
}

TEST_CASE("linearizability: a stale read's window is the two writes and the read",
          "[linearizability]") {
    const std::vector<Operation> history = {
        put(1, 1, 1, 11, 0, 10),    put(2, 1, 1, 12, 20, 30), get(3, 2, 1, 11, 40, 50),
        get(4, 3, 1, 12, 35, 45),   put(5, 1, 2, 21, 0, 100), get(6, 2, 2, 21, 60, 70),
        get(7, 3, 1, 12, 60, 70),   remove(8, 1, 1, 80, 90),  get(9, 2, 1, not_found, 95, 99),
        put(10, 3, 1, 13, 100, 110)};
    const LinearizabilityResult result = check_linearizability(history);
    REQUIRE(result.verdict == Verdict::not_linearizable);
    CHECK(result.key == 1);
    CHECK(result.window == std::vector<OperationId>{1, 2, 3});
    CHECK(result.window_minimal);
}

TEST_CASE("linearizability: a window keeps the delete a stale \"not found\" may follow",
          "[linearizability]") {
    // Without the delete, put 13 then "not found" would be a violation the
    // history does not have: the window must show the delete too.
    const std::vector<Operation> history = {put(1, 1, 1, 11, 0, 10), remove(2, 1, 1, 20, 30),
                                            put(3, 2, 1, 13, 40, 50),
                                            get(4, 3, 1, not_found, 60, 70)};
    const LinearizabilityResult result = check_linearizability(history);
    REQUIRE(result.verdict == Verdict::not_linearizable);
    CHECK(result.window == std::vector<OperationId>{2, 3, 4});
}

TEST_CASE("linearizability: the same history in any input order gives the same text",
          "[linearizability]") {
    core::Prng prng(20240616);
    for (const Row& row : all_rows()) {
        DYNAMIC_SECTION(row.name) {
            const std::string expected =
                render_verdict(check_linearizability(row.history), row.history);
            std::vector<Operation> shuffled = row.history;
            for (int round = 0; round < 20; ++round) {
                kv_test::shuffle(shuffled, prng);
                CHECK(render_verdict(check_linearizability(shuffled), shuffled) == expected);
            }
        }
    }
}

namespace {

/// Writes that all overlap, then a read of a value none of them wrote: to
/// prove there is no linearization the search must try every order of the
/// writes (up to the memo), which grows as 2^n.
std::vector<Operation> overlapping_writes_then_bad_read(std::size_t writes) {
    std::vector<Operation> history;
    for (std::size_t i = 0; i < writes; ++i) {
        history.push_back(put(i + 1, static_cast<ClientId>(i + 1), 1, 100 + i, i, 1000 + i));
    }
    history.push_back(get(writes + 1, 0, 1, 7, 5000, 5100));
    return history;
}

}  // namespace

TEST_CASE("linearizability: a cap hit gives unknown, not a verdict", "[linearizability]") {
    const std::vector<Operation> history = overlapping_writes_then_bad_read(24);
    SECTION("the step cap") {
        const LinearizabilityResult result =
            check_linearizability(history, CheckLimits{.max_steps = 10'000});
        CHECK(result.verdict == Verdict::unknown);
        CHECK(result.cap == SearchCap::steps);
        CHECK(result.key == 1);
        CHECK(result.stats.steps == 10'000);
        CHECK(render_verdict(result, history).find("unknown: key 1") == 0);
    }
    SECTION("the memo cap, in bytes") {
        const LinearizabilityResult result =
            check_linearizability(history, CheckLimits{.max_memo_bytes = 64 * 1024});
        CHECK(result.verdict == Verdict::unknown);
        CHECK(result.cap == SearchCap::memo_bytes);
        CHECK(result.key == 1);
        // It stops at the first entry past the cap, whose size is known.
        CHECK(result.stats.memo_bytes_peak > 64 * 1024);
        CHECK(result.stats.memo_bytes_peak <= 64 * 1024 + 256);
        CHECK(render_verdict(result, history).find("its cap on memo bytes") != std::string::npos);
        // The same history under the same caps stops at the same place.
        const LinearizabilityResult again =
            check_linearizability(history, CheckLimits{.max_memo_bytes = 64 * 1024});
        CHECK(again.stats.steps == result.stats.steps);
        CHECK(again.stats.memo_bytes_peak == result.stats.memo_bytes_peak);
    }
    SECTION("the memo's bytes grow with the operations on the key") {
        const LinearizabilityResult small = check_linearizability(
            overlapping_writes_then_bad_read(24), CheckLimits{.max_steps = 1000});
        const LinearizabilityResult large = check_linearizability(
            overlapping_writes_then_bad_read(200), CheckLimits{.max_steps = 1000});
        REQUIRE(small.stats.memo_entries_peak > 0);
        REQUIRE(large.stats.memo_entries_peak > 0);
        const std::uint64_t per_small = small.stats.memo_bytes_peak / small.stats.memo_entries_peak;
        const std::uint64_t per_large = large.stats.memo_bytes_peak / large.stats.memo_entries_peak;
        // 24 operations need one word of bits, 200 need four.
        CHECK(per_large - per_small == 3 * sizeof(std::uint64_t));
    }
    SECTION("a proven violation on another key outranks the cap") {
        std::vector<Operation> both = history;
        both.push_back(put(900, 1, 2, 900, 0, 10));
        both.push_back(get(901, 1, 2, 901, 20, 30));
        const LinearizabilityResult result =
            check_linearizability(both, CheckLimits{.max_steps = 10'000});
        CHECK(result.verdict == Verdict::not_linearizable);
        CHECK(result.key == 2);
    }
    SECTION("under the default caps the small case is decided") {
        const LinearizabilityResult result =
            check_linearizability(overlapping_writes_then_bad_read(8));
        CHECK(result.verdict == Verdict::not_linearizable);
    }
}

TEST_CASE("linearizability: a stale read behind 30 pending unobserved writes is found",
          "[linearizability]") {
    // 30 puts and deletes that all overlap and never answer, none of whose
    // values anyone reads: any subset of them may have taken effect, in any
    // order, so without merging them the search would try 2^30 subsets.
    // Whatever they did, 11 cannot come back after 12 was written.
    std::vector<Operation> history = {put(1, 1, 1, 11, 0, 10)};
    for (OperationId i = 0; i < 30; ++i) {
        const TimeUs at_us = 20 + i;
        const auto client = static_cast<ClientId>(10 + i);
        history.push_back(i % 3 == 2 ? lost(remove(100 + i, client, 1, at_us, at_us + 500))
                                     : lost(put(100 + i, client, 1, 1000 + i, at_us, at_us + 500)));
    }
    history.push_back(put(2, 2, 1, 12, 100, 110));
    history.push_back(get(3, 3, 1, 11, 200, 210));
    const LinearizabilityResult result = check_linearizability(history);
    INFO(render_verdict(result, history));
    REQUIRE(result.verdict == Verdict::not_linearizable);
    CHECK(result.key == 1);
    CHECK(result.window == std::vector<OperationId>{1, 2, 3});
    CHECK(result.window_minimal);
    CHECK(result.stats.steps < 100'000);
}

TEST_CASE("linearizability: an observed indeterminate write is not merged with unobserved ones",
          "[linearizability]") {
    // Writes 12, 13 and 14 never answer; only 13 is read. Merging 13 with
    // the others (as if any of them could stand in for it) would be wrong
    // both ways.
    const std::vector<Operation> lost_writes = {
        put(1, 1, 1, 11, 0, 10), lost(put(2, 2, 1, 12, 20, 30)), lost(put(3, 3, 1, 13, 25, 35)),
        lost(put(4, 4, 1, 14, 28, 38))};
    SECTION("linearizable only because 13 took effect") {
        std::vector<Operation> history = lost_writes;
        history.push_back(get(5, 5, 1, 13, 100, 110));
        history.push_back(get(6, 5, 1, 13, 120, 130));
        const LinearizabilityResult result = check_linearizability(history);
        INFO(render_verdict(result, history));
        CHECK(result.verdict == Verdict::linearizable);
    }
    SECTION("not linearizable: 13 cannot take effect twice") {
        std::vector<Operation> history = lost_writes;
        history.push_back(get(5, 5, 1, 13, 100, 110));
        history.push_back(put(6, 1, 1, 15, 120, 130));
        history.push_back(get(7, 5, 1, 13, 140, 150));
        const LinearizabilityResult result = check_linearizability(history);
        INFO(render_verdict(result, history));
        CHECK(result.verdict == Verdict::not_linearizable);
        CHECK(result.window == std::vector<OperationId>{3, 5, 6, 7});
    }
    SECTION("not linearizable: 13 is read before the write of 13 was invoked") {
        std::vector<Operation> history = lost_writes;
        history.push_back(get(5, 5, 1, 13, 12, 18));
        const LinearizabilityResult result = check_linearizability(history);
        INFO(render_verdict(result, history));
        CHECK(result.verdict == Verdict::not_linearizable);
    }
    SECTION("an indeterminate CAS from 13 needs 13 to have taken effect first") {
        std::vector<Operation> history = lost_writes;
        history.push_back(lost(cas(5, 5, 1, 13, 16, false, 40, 50)));
        history.push_back(get(6, 6, 1, 16, 100, 110));
        const LinearizabilityResult result = check_linearizability(history);
        INFO(render_verdict(result, history));
        CHECK(result.verdict == Verdict::linearizable);
        history.push_back(get(7, 6, 1, 11, 120, 130));
        CHECK(check_linearizability(history).verdict == Verdict::not_linearizable);
    }
}

TEST_CASE("linearizability: a malformed history is refused with the operation at fault",
          "[linearizability]") {
    Operation answered_lost = lost(get(2, 1, 1, not_found, 0, 10));
    answered_lost.read = 11;
    Operation leased_put = put(2, 1, 1, 12, 20, 30);
    leased_put.read_path = ReadPath::lease;
    const struct {
        std::string name;
        std::vector<Operation> history;
        HistoryError error;
        OperationId at;
    } rows[] = {
        {"two operations share an id",
         {put(1, 1, 1, 11, 0, 10), get(1, 1, 1, 11, 20, 30)},
         HistoryError::duplicate_id,
         1},
        {"a response before the invocation",
         {put(1, 1, 1, 11, 0, 10), get(2, 1, 1, 11, 30, 20)},
         HistoryError::completes_before_invoke,
         2},
        {"a value written twice",
         {put(1, 1, 1, 11, 0, 10), cas(2, 1, 1, 11, 11, true, 30, 40)},
         HistoryError::duplicate_written_value,
         2},
        {"a read value on an indeterminate read",
         {put(1, 1, 1, 11, 0, 10), answered_lost},
         HistoryError::unexpected_output,
         2},
        {"a write served by the lease",
         {put(1, 1, 1, 11, 0, 10), leased_put},
         HistoryError::unexpected_output,
         2},
    };
    for (const auto& row : rows) {
        DYNAMIC_SECTION(row.name) {
            const LinearizabilityResult result = check_linearizability(row.history);
            CHECK(result.verdict == Verdict::refused);
            CHECK(result.refusal == row.error);
            CHECK(result.refused_operation == row.at);
        }
    }
}

TEST_CASE("linearizability: the text names the window's operations, values and times",
          "[linearizability]") {
    const std::vector<Operation> history = {put(1, 1, 1, 11, 0, 10), put(2, 4, 1, 12, 20, 30),
                                            lost(cas(5, 2, 1, 12, 13, false, 25, 500)),
                                            get(3, 3, 1, 11, 40, 50)};
    const std::string text = render_verdict(check_linearizability(history), history);
    INFO(text);
    CHECK(text.find("not linearizable: key 1\n") == 0);
    CHECK(text.find("#1      client 1    put(k1, 11)") != std::string::npos);
    CHECK(text.find("get[log](k1) -> 11") != std::string::npos);
    CHECK(text.find("[40, 50]") != std::string::npos);
    CHECK(text.find("minimal") != std::string::npos);
}

TEST_CASE("linearizability: the partial linearization is listed by its last ids, counted before",
          "[linearizability]") {
    struct Case {
        std::size_t ids;
        std::string text;
    };
    const std::vector<Case> cases = {
        {0, "(none)"},
        {3, "#1 #2 #3"},
        {20, "#1 #2 #3 #4 #5 #6 #7 #8 #9 #10 #11 #12 #13 #14 #15 #16 #17 #18 #19 #20"},
        {21,
         "... 1 earlier, #2 #3 #4 #5 #6 #7 #8 #9 #10 #11 #12 #13 #14 #15 #16 #17 #18 #19 "
         "#20 #21"},
        {1054,
         "... 1034 earlier, #1035 #1036 #1037 #1038 #1039 #1040 #1041 #1042 #1043 #1044 "
         "#1045 #1046 #1047 #1048 #1049 #1050 #1051 #1052 #1053 #1054"},
    };
    REQUIRE(partial_linearization_listed == 20);
    for (const Case& row : cases) {
        CAPTURE(row.ids);
        std::vector<OperationId> ids(row.ids);
        std::iota(ids.begin(), ids.end(), OperationId{1});
        CHECK(describe_partial_linearization(ids) == row.text);
    }
}

TEST_CASE("linearizability: a long history's text lists the last ids and the whole window",
          "[linearizability]") {
    // One client's 1000 puts in sequence, then a read of the 500th value:
    // the search linearizes every put and is stuck at the read.
    std::vector<Operation> history;
    for (OperationId id = 1; id <= 1000; ++id) {
        history.push_back(put(id, 1, 1, id, id * 10, id * 10 + 5));
    }
    history.push_back(get(1001, 2, 1, 500, 20'000, 20'010));
    const LinearizabilityResult result = check_linearizability(history);
    REQUIRE(result.verdict == Verdict::not_linearizable);
    REQUIRE(result.partial_linearization.size() == 1000);
    REQUIRE(result.window == std::vector<OperationId>{500, 1000, 1001});
    const std::string text = render_verdict(result, history);
    INFO(text);
    CHECK(text.find("longest partial linearization (1000 of 1001 operations on key 1): "
                    "... 980 earlier, #981 #982 ") != std::string::npos);
    CHECK(text.find(" #999 #1000\n") != std::string::npos);
    CHECK(text.find("#980 ") == std::string::npos);
    // Every operation of the window, one line each.
    CHECK(text.find("#500    client 1") != std::string::npos);
    CHECK(text.find("#1000   client 1") != std::string::npos);
    CHECK(text.find("#1001   client 2") != std::string::npos);
    CHECK(text.size() < 1200);
}

}  // namespace raftsim::sim
