// The linearizability checker against a brute force on thousands of small
// random histories: every order of the operations that respects real time,
// for every subset of the indeterminate operations left out (each of those
// took effect at most once, maybe never). The two must agree on every
// history, and the histories are made so that both verdicts occur often.
#include <algorithm>
#include <catch2/catch.hpp>
#include <vector>

#include "kv_history.hpp"
#include "raftsim/sim/history/linearizability.hpp"

namespace raftsim::sim {
namespace {

bool precedes(const Operation& a, const Operation& b) {
    return a.status == OpStatus::ok && a.complete_us < b.invoke_us;
}

/// True when `order` respects real time and the store agrees with every output.
bool legal_order(const std::vector<Operation>& history, const std::vector<std::size_t>& order) {
    kv_test::Register store;
    for (std::size_t p = 0; p < order.size(); ++p) {
        for (std::size_t q = p + 1; q < order.size(); ++q) {
            if (precedes(history[order[q]], history[order[p]])) {
                return false;
            }
        }
        if (!store.apply(history[order[p]])) {
            return false;
        }
    }
    return true;
}

bool brute_force_linearizable(const std::vector<Operation>& history) {
    std::vector<std::size_t> lost;
    for (std::size_t i = 0; i < history.size(); ++i) {
        if (history[i].status == OpStatus::indeterminate) {
            lost.push_back(i);
        }
    }
    for (std::uint32_t omitted = 0; omitted < (1U << lost.size()); ++omitted) {
        std::vector<std::size_t> order;
        for (std::size_t i = 0; i < history.size(); ++i) {
            const auto at = std::find(lost.begin(), lost.end(), i);
            const bool left_out = at != lost.end() && ((omitted >> (at - lost.begin())) & 1U) != 0;
            if (!left_out) {
                order.push_back(i);
            }
        }
        do {
            if (legal_order(history, order)) {
                return true;
            }
        } while (std::next_permutation(order.begin(), order.end()));
    }
    return false;
}

struct Planned {
    Operation op;
    TimeUs point_us = 0;
    std::size_t index = 0;
    /// Whether the operation gets no response.
    bool lost = false;
};

/// Fills in the outputs of a sequential run in linearization-point order.
/// An indeterminate operation took effect at its point, or (half the time)
/// never.
void run_at_points(std::vector<Planned>& plan, core::Prng& prng) {
    std::sort(plan.begin(), plan.end(), [](const Planned& a, const Planned& b) {
        return std::tie(a.point_us, a.index) < std::tie(b.point_us, b.index);
    });
    kv_test::Register store;
    for (Planned& planned : plan) {
        Operation& op = planned.op;
        const std::optional<KvValue> now = store.keys[op.key];
        if (op.kind == OpKind::compare_and_set && now.has_value() && prng.chance(2, 3)) {
            op.expected = *now;
        }
        op.read = op.kind == OpKind::get ? now : std::nullopt;
        op.cas_succeeded = op.kind == OpKind::compare_and_set && now == op.expected;
        const bool lost = planned.lost;
        if (!lost || prng.chance(1, 2)) {
            REQUIRE(store.apply(op));
        }
        if (lost) {
            op = kv_test::lost(op);
        }
    }
}

/// A linearizable history of up to 7 operations on 1 or 2 keys: random
/// intervals, each operation taking effect at a point inside its own. In
/// two histories of five, 2 to 4 of the operations are writes (put, delete,
/// CAS) without a response, on one key: the reads around them decide which
/// of their values are observed.
std::vector<Operation> linearizable_history(core::Prng& prng) {
    const bool lost_writes = prng.chance(2, 5);
    const std::uint64_t count = prng.range_inclusive(lost_writes ? 4 : 1, 7);
    const std::uint64_t lost_count = lost_writes ? prng.range_inclusive(2, 4) : 0;
    const std::uint64_t keys = lost_writes ? 1 : prng.range_inclusive(1, 2);
    std::vector<Planned> plan;
    for (std::uint64_t i = 0; i < count; ++i) {
        const TimeUs invoke_us = prng.below(60);
        const TimeUs latency_us = prng.below(30);
        const TimeUs point_us = invoke_us + prng.below(latency_us + 1);
        const bool lost = i < lost_count || prng.chance(1, 5);
        // put twice as often as delete or CAS
        const OpKind lost_kinds[] = {OpKind::put, OpKind::put, OpKind::remove,
                                     OpKind::compare_and_set};
        const auto kind =
            i < lost_count ? lost_kinds[prng.below(4)] : static_cast<OpKind>(prng.below(4));
        const auto key = static_cast<KvKey>(1 + prng.below(keys));
        Operation op = kv_test::call(i + 1, static_cast<ClientId>(1 + prng.below(3)), key, kind,
                                     invoke_us, invoke_us + latency_us);
        op.value = 100 + i;
        op.expected = 500 + prng.below(3);
        plan.push_back(Planned{.op = op, .point_us = point_us, .index = i, .lost = lost});
    }
    run_at_points(plan, prng);
    std::vector<Operation> history;
    for (const Planned& planned : plan) {
        history.push_back(planned.op);
    }
    return history;
}

/// One random change that may break linearizability: a read sees another
/// value, a CAS claims the other outcome, or an operation moves in time.
void perturb(std::vector<Operation>& history, core::Prng& prng) {
    Operation& op = history[prng.below(history.size())];
    const std::uint64_t how = prng.below(3);
    if (how == 0 && op.kind == OpKind::get && op.status == OpStatus::ok) {
        const std::uint64_t pick = prng.below(history.size() + 1);
        op.read = pick == history.size() ? std::nullopt : std::optional<KvValue>(100 + pick);
    } else if (how == 1 && op.kind == OpKind::compare_and_set && op.status == OpStatus::ok) {
        op.cas_succeeded = !op.cas_succeeded;
    } else {
        const TimeUs length_us = op.complete_us - op.invoke_us;
        op.invoke_us = prng.below(90);
        op.complete_us = op.invoke_us + length_us;
    }
}

/// How many indeterminate writes (put, delete, CAS) the history has, and
/// how many of those write a value some other operation observes (an
/// answered read returned it, or a CAS expects it).
struct LostWrites {
    std::uint64_t total = 0;
    std::uint64_t observed = 0;
};

LostWrites lost_writes(const std::vector<Operation>& history) {
    LostWrites counts;
    for (const Operation& op : history) {
        if (op.status != OpStatus::indeterminate || op.kind == OpKind::get) {
            continue;
        }
        counts.total += 1;
        const bool writes = op.kind != OpKind::remove;
        const bool observed =
            writes && std::any_of(history.begin(), history.end(), [&](const Operation& other) {
                const bool read = other.kind == OpKind::get && other.read == op.value;
                const bool expects =
                    other.kind == OpKind::compare_and_set && other.expected == op.value;
                return other.key == op.key && (read || expects);
            });
        counts.observed += observed ? 1 : 0;
    }
    return counts;
}

}  // namespace

TEST_CASE("linearizability: agrees with a brute force on small random histories",
          "[linearizability][differential]") {
    std::uint64_t linearizable = 0;
    std::uint64_t violations = 0;
    // Histories with 2 to 4 indeterminate writes, by verdict; and how many
    // of them had an unobserved one, and an observed one.
    std::uint64_t lost_linearizable = 0;
    std::uint64_t lost_violations = 0;
    std::uint64_t with_unobserved = 0;
    std::uint64_t with_observed = 0;
    for (std::uint64_t seed = 1; seed <= 20000; ++seed) {
        core::Prng prng(core::derive_seed(20240616, seed));
        std::vector<Operation> history = linearizable_history(prng);
        const bool perturbed = prng.chance(1, 2);
        if (perturbed) {
            perturb(history, prng);
            if (prng.chance(1, 2)) {
                perturb(history, prng);
            }
        }
        const bool expected = brute_force_linearizable(history);
        const LinearizabilityResult result = check_linearizability(history);
        INFO("seed " << seed << "\n" << render_verdict(result, history));
        REQUIRE(result.verdict == (expected ? Verdict::linearizable : Verdict::not_linearizable));
        if (!perturbed) {
            REQUIRE(expected);
        }
        if (const LostWrites lost = lost_writes(history); lost.total >= 2) {
            (expected ? lost_linearizable : lost_violations) += 1;
            with_unobserved += lost.observed < lost.total ? 1 : 0;
            with_observed += lost.observed > 0 ? 1 : 0;
        }
        if (expected) {
            linearizable += 1;
            continue;
        }
        violations += 1;
        std::vector<Operation> window;
        for (const Operation& op : history) {
            if (std::find(result.window.begin(), result.window.end(), op.id) !=
                result.window.end()) {
                window.push_back(op);
            }
        }
        REQUIRE_FALSE(brute_force_linearizable(window));
    }
    INFO("linearizable " << linearizable << ", not " << violations);
    INFO("with 2-4 indeterminate writes: linearizable "
         << lost_linearizable << ", not " << lost_violations << "; with an unobserved one "
         << with_unobserved << ", with an observed one " << with_observed);
    CHECK(linearizable >= 15000);
    CHECK(violations >= 1200);
    CHECK(lost_linearizable >= 5000);
    CHECK(lost_violations >= 400);
    CHECK(with_unobserved >= 5000);
    CHECK(with_observed >= 1000);
    // Shown with -s: the counts behind the checks above.
    SUCCEED("linearizable " << linearizable << ", not " << violations
                            << "; with 2-4 indeterminate writes: linearizable " << lost_linearizable
                            << ", not " << lost_violations << "; with an unobserved one "
                            << with_unobserved << ", with an observed one " << with_observed);
}

}  // namespace raftsim::sim
