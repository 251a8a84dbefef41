// The in-memory log (log.hpp): positions and terms, appends and truncation,
// the host's durability bookkeeping, and §5.4.1's up-to-date comparison.
#include "raftsim/core/log.hpp"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "helpers.hpp"
#include "raftsim/core/assert.hpp"

namespace raftsim::test {
namespace {

using core::Log;

constexpr std::size_t size_max = std::numeric_limits<std::size_t>::max();
constexpr Index index_max = std::numeric_limits<Index>::max();

/// Thrown by the test assertion handler so a RAFT_ASSERT that fires in a
/// (non-noexcept) call can be observed instead of aborting the run.
struct AssertionFired {
    std::string expression;
};

[[noreturn]] void throwing_handler(const char* expression, const char* /*file*/, int /*line*/) {
    throw AssertionFired{expression};
}

/// Installs throwing_handler for its lifetime.
class ThrowOnAssert {
  public:
    ThrowOnAssert() : previous_(core::set_assert_handler(&throwing_handler)) {}
    ~ThrowOnAssert() { core::set_assert_handler(previous_); }
    ThrowOnAssert(const ThrowOnAssert&) = delete;
    ThrowOnAssert& operator=(const ThrowOnAssert&) = delete;

  private:
    core::AssertHandler previous_;
};

/// A log of `terms.size()` entries at 1, 2, ..., appended one by one.
Log log_of(std::vector<Term> terms) {
    Log log;
    for (const Entry& e : entries(1, std::move(terms))) {
        log.append(e);
    }
    return log;
}

std::vector<Index> indexes_of(const std::vector<Entry>& slice) {
    std::vector<Index> result;
    for (const Entry& e : slice) {
        result.push_back(e.index);
    }
    return result;
}

TEST_CASE("log: term_at knows the base and every entry, and nothing outside", "[log]") {
    SECTION("an empty log knows only index 0, term 0") {
        const Log log;
        CHECK(log.term_at(0) == std::optional<Term>(0));
        CHECK(log.term_at(1) == std::nullopt);
        CHECK(log.term_at(index_max) == std::nullopt);
        CHECK(log.base_index() == 0);
        CHECK(log.first_index() == 1);
        CHECK(log.last_index() == 0);
        CHECK(log.last_term() == 0);
    }
    SECTION("a log from index 1") {
        const Log log = log_of({1, 1, 3});
        CHECK(log.term_at(0) == std::optional<Term>(0));
        CHECK(log.term_at(1) == std::optional<Term>(1));
        CHECK(log.term_at(2) == std::optional<Term>(1));
        CHECK(log.term_at(3) == std::optional<Term>(3));
        CHECK(log.term_at(4) == std::nullopt);
        CHECK(log.term_at(index_max) == std::nullopt);
        CHECK(log.last_term() == 3);
    }
    SECTION("a log after a compacted prefix ending at (5, 3)") {
        const Log log(5, 3, entries(6, {3, 4, 4}));
        CHECK(log.term_at(5) == std::optional<Term>(3));  // the base itself
        CHECK(log.term_at(6) == std::optional<Term>(3));
        CHECK(log.term_at(7) == std::optional<Term>(4));
        CHECK(log.term_at(8) == std::optional<Term>(4));
        CHECK(log.term_at(9) == std::nullopt);
        CHECK(log.term_at(4) == std::nullopt);  // compacted away
        CHECK(log.term_at(0) == std::nullopt);
    }
}

TEST_CASE("log: append places each entry at last_index + 1 and marks it unwritten", "[log]") {
    Log log;
    CHECK(log.unwritten_from() == std::nullopt);
    log.append(entry(1, 1));
    CHECK(log.last_index() == 1);
    CHECK(log.last_term() == 1);
    CHECK(log.unwritten_from() == std::optional<Index>(1));
    log.append(entry(1, 2));
    log.append(entry(4, 3));
    CHECK(log.last_index() == 3);
    CHECK(log.last_term() == 4);
    // The rewrite point stays at the first unwritten entry.
    CHECK(log.unwritten_from() == std::optional<Index>(1));
    CHECK(log.written_index() == 0);
    for (Index i = 1; i <= 3; ++i) {
        CHECK(log.at(i) == log.entries()[i - 1]);
        CHECK(log.at(i).index == i);
    }
    CHECK(log.at(3) == entry(4, 3));  // payload and type kept as given
    CHECK(log.is_well_formed());
}

TEST_CASE("log: append refuses an entry that is not next or has a lower term", "[log]") {
    const ThrowOnAssert guard;
    Log log = log_of({1, 2});
    CHECK_THROWS_AS(log.append(entry(2, 4)), AssertionFired);  // gap
    CHECK_THROWS_AS(log.append(entry(2, 2)), AssertionFired);  // overwrite
    CHECK_THROWS_AS(log.append(entry(1, 3)), AssertionFired);  // term goes down
    CHECK(log.last_index() == 2);                              // refused appends changed nothing
    CHECK(log.is_well_formed());
    log.append(entry(2, 3));  // same term as the last entry is fine
    CHECK(log.last_index() == 3);
}

TEST_CASE("log: truncate_from removes the suffix and moves the rewrite point back", "[log]") {
    Log log = log_of({1, 1, 2, 2, 3});
    log.mark_written(5);
    REQUIRE(log.unwritten_from() == std::nullopt);

    SECTION("on a fully written log, the rewrite point becomes the truncation point") {
        log.truncate_from(3);
        CHECK(log.last_index() == 2);
        CHECK(log.last_term() == 1);
        CHECK(log.term_at(3) == std::nullopt);
        CHECK(log.written_index() == 2);  // the durable copy past 2 is stale
        // §5.3: a truncation is followed by the conflicting entry.
        log.append(entry(4, 3));
        CHECK(log.unwritten_from() == std::optional<Index>(3));
        CHECK(log.is_well_formed());
    }
    SECTION("an earlier pending rewrite point is kept") {
        log.truncate_from(4);  // rewrite from 4
        log.append(entry(2, 4));
        log.append(entry(2, 5));
        log.truncate_from(5);  // not yet written: the rewrite point stays at 4
        log.append(entry(3, 5));
        CHECK(log.unwritten_from() == std::optional<Index>(4));
        CHECK(log.written_index() == 3);
        CHECK(log.last_index() == 5);
    }
    SECTION("a later pending rewrite point moves back to the truncation point") {
        log.append(entry(3, 6));
        REQUIRE(log.unwritten_from() == std::optional<Index>(6));
        log.truncate_from(2);
        log.append(entry(5, 2));
        CHECK(log.unwritten_from() == std::optional<Index>(2));
        CHECK(log.written_index() == 1);
        CHECK(log.last_index() == 2);
    }
    SECTION("truncating the last entry only") {
        log.truncate_from(5);
        CHECK(log.last_index() == 4);
        CHECK(log.written_index() == 4);
        log.append(entry(4, 5));
        CHECK(log.unwritten_from() == std::optional<Index>(5));
    }
    SECTION("truncating everything after a compacted base") {
        Log compacted(5, 3, entries(6, {3, 4}));
        compacted.truncate_from(6);
        CHECK(compacted.last_index() == 5);
        CHECK(compacted.last_term() == 3);
        CHECK(compacted.written_index() == 5);
        compacted.append(entry(5, 6));
        CHECK(compacted.unwritten_from() == std::optional<Index>(6));
    }
}

// Between a truncation and the next append the rewrite point is
// last_index() + 1, as log.hpp documents; reading it there is legal.
TEST_CASE("log: unwritten_from may be read right after truncate_from", "[log]") {
    Log log = log_of({1, 1, 2});
    log.mark_written(3);
    log.truncate_from(2);
    CHECK(log.unwritten_from() == std::optional<Index>(2));
}

struct SliceCase {
    Index low;
    Index high;
    std::size_t count_max;
    std::vector<Index> expected;
};

TEST_CASE("log: slice returns [low, min(high, last)], at most count_max entries", "[log]") {
    const Log log = log_of({1, 1, 2, 3, 3});
    const SliceCase c = GENERATE(values<SliceCase>({
        {1, 5, size_max, {1, 2, 3, 4, 5}},
        {2, 4, size_max, {2, 3, 4}},
        {3, 100, size_max, {3, 4, 5}},           // high past the end is clipped
        {2, index_max, size_max, {2, 3, 4, 5}},  // no overflow on the widest span
        {5, 5, size_max, {5}},
        {1, 5, 2, {1, 2}},
        {1, 5, 1, {1}},
        {2, index_max, 3, {2, 3, 4}},
        {1, 5, 5, {1, 2, 3, 4, 5}},
        {1, 5, 6, {1, 2, 3, 4, 5}},
        {1, 5, 0, {}},
        {4, 3, size_max, {}},   // low > high
        {6, 10, size_max, {}},  // past the end
        {index_max, index_max, size_max, {}},
    }));
    CAPTURE(c.low, c.high, c.count_max);
    const std::vector<Entry> slice = log.slice(c.low, c.high, c.count_max);
    CHECK(indexes_of(slice) == c.expected);
    for (const Entry& e : slice) {
        CHECK(e == log.at(e.index));  // copies, with terms and payloads
    }
}

TEST_CASE("log: slice of a log after a compacted base", "[log]") {
    const Log log(10, 2, entries(11, {2, 3, 3}));
    CHECK(indexes_of(log.slice(11, 13, size_max)) == std::vector<Index>{11, 12, 13});
    CHECK(indexes_of(log.slice(12, 20, 1)) == std::vector<Index>{12});
    CHECK(indexes_of(log.slice(13, index_max, size_max)) == std::vector<Index>{13});
    CHECK(log.slice(14, 20, size_max).empty());
}

struct UpToDateCase {
    Index other_last_index;
    Term other_last_term;
    bool expected;
};

TEST_CASE("log: is_up_to_date compares last terms first, then lengths (§5.4.1)", "[log]") {
    const Log log = log_of({1, 2, 2});  // last entry (3, 2)
    const UpToDateCase c = GENERATE(values<UpToDateCase>({
        {3, 2, true},  // identical
        {4, 2, true},  // same term, longer
        {100, 2, true},
        {2, 2, false},  // same term, shorter
        {0, 2, false},
        {1, 3, true},  // later term wins however short
        {0, 3, true},
        {4, 1, false},  // earlier term loses however long
        {1'000'000, 1, false},
        {0, 0, false},  // an empty log is behind
    }));
    CAPTURE(c.other_last_index, c.other_last_term);
    CHECK(log.is_up_to_date(c.other_last_index, c.other_last_term) == c.expected);
}

TEST_CASE("log: an empty log is behind nobody; a compacted one compares its base", "[log]") {
    const Log empty;
    CHECK(empty.is_up_to_date(0, 0));
    CHECK(empty.is_up_to_date(5, 1));
    const Log compacted(5, 3, {});  // last entry is the base (5, 3)
    CHECK(compacted.is_up_to_date(5, 3));
    CHECK(compacted.is_up_to_date(1, 4));
    CHECK_FALSE(compacted.is_up_to_date(4, 3));
    CHECK_FALSE(compacted.is_up_to_date(9, 2));
}

TEST_CASE("log: mark_written records the durable point and clears the rewrite point", "[log]") {
    Log log = log_of({1, 1, 2});
    CHECK(log.written_index() == 0);
    CHECK(log.unwritten_from() == std::optional<Index>(1));
    log.mark_written(3);
    CHECK(log.written_index() == 3);
    CHECK(log.unwritten_from() == std::nullopt);
    log.append(entry(2, 4));
    CHECK(log.unwritten_from() == std::optional<Index>(4));
    CHECK(log.written_index() == 3);  // not durable until the host says so
    log.mark_written(4);
    CHECK(log.written_index() == 4);
    CHECK(log.unwritten_from() == std::nullopt);
}

TEST_CASE("log: Log(base_index, base_term, entries) rebuilds a fully written log after its base",
          "[log]") {
    SECTION("with entries") {
        const Log log(5, 3, entries(6, {3, 4}));
        CHECK(log.base_index() == 5);
        CHECK(log.base_term() == 3);
        CHECK(log.first_index() == 6);
        CHECK(log.last_index() == 7);
        CHECK(log.last_term() == 4);
        CHECK(log.entries().size() == 2);
        CHECK(log.at(6) == entry(3, 6));
        CHECK(log.written_index() == 7);  // what the host had durable
        CHECK(log.unwritten_from() == std::nullopt);
        CHECK(log.is_well_formed());
    }
    SECTION("without entries, the base is the last entry") {
        const Log log(5, 3, {});
        CHECK(log.first_index() == 6);
        CHECK(log.last_index() == 5);
        CHECK(log.last_term() == 3);
        CHECK(log.written_index() == 5);
        CHECK(log.unwritten_from() == std::nullopt);
    }
    SECTION("from index 0 it is the same as appending") {
        const Log rebuilt(0, 0, entries(1, {1, 2, 2}));
        const Log appended = log_of({1, 2, 2});
        CHECK(std::vector<Entry>(rebuilt.entries().begin(), rebuilt.entries().end()) ==
              std::vector<Entry>(appended.entries().begin(), appended.entries().end()));
        CHECK(rebuilt.written_index() == 3);
        CHECK(appended.written_index() == 0);
    }
    SECTION("appending continues after the rebuilt entries") {
        Log log(5, 3, entries(6, {3}));
        log.append(entry(3, 7));
        CHECK(log.last_index() == 7);
        CHECK(log.unwritten_from() == std::optional<Index>(7));
        CHECK(log.written_index() == 6);
    }
}

struct MalformedCase {
    std::string name;
    Index base_index;
    Term base_term;
    std::vector<Entry> entries;
};

TEST_CASE(
    "log: is_well_formed refuses gaps and decreasing terms (the rebuild constructor checks it)",
    "[log]") {
    const ThrowOnAssert guard;
    const MalformedCase c = GENERATE(values<MalformedCase>({
        {"gap", 0, 0, {entry(1, 1), entry(1, 3)}},
        {"repeated index", 0, 0, {entry(1, 1), entry(1, 1)}},
        {"does not start at 1", 0, 0, {entry(1, 2)}},
        {"does not start after the base", 5, 3, {entry(3, 5)}},
        {"starts past the base", 5, 3, {entry(3, 7)}},
        {"decreasing terms", 0, 0, {entry(2, 1), entry(1, 2)}},
        {"first term below the base term", 5, 3, {entry(2, 6)}},
        {"dip in the middle", 0, 0, {entry(1, 1), entry(3, 2), entry(2, 3), entry(3, 4)}},
    }));
    CAPTURE(c.name);
    try {
        const Log log(c.base_index, c.base_term, c.entries);
        FAIL("a malformed log was accepted; is_well_formed() = " << log.is_well_formed());
    } catch (const AssertionFired& fired) {
        CHECK(fired.expression == "is_well_formed()");
    }
}

TEST_CASE("log: is_well_formed holds for every log built through the API", "[log]") {
    CHECK(Log().is_well_formed());
    CHECK(Log(0, 0, {}).is_well_formed());
    CHECK(Log(7, 2, {}).is_well_formed());
    CHECK(Log(7, 2, entries(8, {2, 2, 5})).is_well_formed());
    Log log = log_of({1, 1, 1, 2, 2, 4});
    CHECK(log.is_well_formed());
    log.truncate_from(4);
    log.append(entry(3, 4));
    CHECK(log.is_well_formed());
}

}  // namespace
}  // namespace raftsim::test
