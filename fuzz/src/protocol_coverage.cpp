#include "raftsim/fuzz/protocol_coverage.hpp"

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <numeric>
#include <utility>

#include "raftsim/core/assert.hpp"

namespace raftsim::fuzz {

namespace {

enum class Family : std::uint8_t {
    role_change,
    commit,
    progress,
    log_write,
    configuration,
    send,
    apply,
    crash,
    restart,
    snapshot,
    hard_state,
    leaders,
};

constexpr std::size_t roles = 4;
/// term_class: below, equal, +1, +2, +3..4, +5 or more.
constexpr std::size_t term_classes = 6;
/// gap_class: 0, 1, 2-3, 4-7, 8 or more.
constexpr std::size_t gap_classes = 5;

// The number of ids in each family: the product of its digits' radixes, in
// the order feature() is given them.
constexpr std::size_t role_change_ids = roles * roles * term_classes;
constexpr std::size_t commit_ids = roles * (gap_classes + 1) * (gap_classes + 1);
constexpr std::size_t progress_ids = 8 * 3 * 4;
constexpr std::size_t log_write_ids = 5 * 4 * 4 * 2 * roles;
constexpr std::size_t configuration_ids = 4 * 3 * roles * 6;
constexpr std::size_t send_ids = std::size_t{core::message_type_count} * roles * 3 * 3;
constexpr std::size_t apply_ids = std::size_t{core::entry_type_count} * roles * 2;
constexpr std::size_t crash_ids = roles * 2;
constexpr std::size_t restart_ids = 2 * 2 * gap_classes;
constexpr std::size_t snapshot_ids = 2 * 2 * roles * 3;
constexpr std::size_t hard_state_ids = 3 * roles * term_classes;
constexpr std::size_t leaders_ids = 3 * 5 * 3;
constexpr std::array<std::size_t, 12> family_sizes{
    role_change_ids, commit_ids, progress_ids, log_write_ids, configuration_ids, send_ids,
    apply_ids,       crash_ids,  restart_ids,  snapshot_ids,  hard_state_ids,    leaders_ids,
};

constexpr std::size_t family_offset(Family family) {
    std::size_t offset = 0;
    for (std::size_t i = 0; i < static_cast<std::size_t>(family); ++i) {
        offset += family_sizes.at(i);
    }
    return offset;
}

static_assert(std::accumulate(family_sizes.begin(), family_sizes.end(), std::size_t{0}) <=
                  ProtocolCoverage::capacity,
              "the feature families must fit the counter array");

/// One feature id: `digits` are (value, radix) pairs read as a mixed-radix
/// number inside the family's block.
std::size_t feature(Family family,
                    std::initializer_list<std::pair<std::size_t, std::size_t>> digits) {
    std::size_t value = 0;
    std::size_t size = 1;
    for (const auto& [digit, radix] : digits) {
        RAFT_ASSERT(digit < radix);
        value = value * radix + digit;
        size *= radix;
    }
    RAFT_ASSERT(size == family_sizes.at(static_cast<std::size_t>(family)));
    return family_offset(family) + value;
}

/// log2-style buckets: a gap of 5 and one of 6 are the same state, a gap of
/// 0 and one of 1 are not.
std::size_t gap_class(std::uint64_t gap) noexcept {
    if (gap < 2) {
        return static_cast<std::size_t>(gap);
    }
    if (gap < 4) {
        return 2;
    }
    return gap < 8 ? 3 : 4;
}

/// `term` against the highest term seen before it.
std::size_t term_class(core::Term term, core::Term highest) noexcept {
    if (term < highest) {
        return 0;
    }
    const core::Term ahead = term - highest;
    if (ahead < 3) {
        return static_cast<std::size_t>(ahead) + 1;
    }
    return ahead < 5 ? 4 : 5;
}

std::size_t role_digit(core::Role role) noexcept {
    return static_cast<std::size_t>(role);
}

/// Where `value` lies against `reference`: below 0, equal 1, above 2.
std::size_t order_class(std::uint64_t value, std::uint64_t reference) noexcept {
    if (value == reference) {
        return 1;
    }
    return value < reference ? 0 : 2;
}

constexpr std::size_t tail_length = 8;

}  // namespace

void ProtocolCoverage::reset() {
    counters_.fill(0);
    nodes_.clear();
    max_term_ = 0;
    max_commit_ = 0;
}

std::vector<std::size_t> ProtocolCoverage::features() const {
    std::vector<std::size_t> reached;
    for (std::size_t id = 0; id < counters_.size(); ++id) {
        if (counters_.at(id) != 0) {
            reached.push_back(id);
        }
    }
    return reached;
}

void ProtocolCoverage::bump(std::size_t feature) noexcept {
    std::uint8_t& counter = counters_.at(feature);
    if (counter != UINT8_MAX) {
        counter += 1;
    }
}

void ProtocolCoverage::bump_on_change(std::size_t feature, std::size_t& last) noexcept {
    if (feature != last) {
        bump(feature);
        last = feature;
    }
}

void ProtocolCoverage::note_term(core::Term term) noexcept {
    max_term_ = std::max(max_term_, term);
}

std::size_t ProtocolCoverage::tail_term_class(const NodeView& view) const noexcept {
    if (view.terms.empty()) {
        return 0;
    }
    // Terms in a log never fall, so the distinct terms of the tail are its
    // term changes plus one; an out-of-order log counts each change too.
    const std::size_t start = view.terms.size() - std::min(view.terms.size(), tail_length);
    std::size_t distinct = 1;
    for (std::size_t i = start + 1; i < view.terms.size(); ++i) {
        distinct += view.terms[i] != view.terms[i - 1] ? 1 : 0;
    }
    return std::min<std::size_t>(distinct, 4);
}

void ProtocolCoverage::on_role_change(core::NodeId node, const core::RoleChange& change) {
    NodeView& view = nodes_[node];
    bump(feature(Family::role_change, {{role_digit(change.from), roles},
                                       {role_digit(change.to), roles},
                                       {term_class(change.term, max_term_), term_classes}}));
    view.role = change.to;
    view.term = std::max(view.term, change.term);
    note_term(change.term);
    if (change.to == core::Role::leader) {
        count_leaders(view);
    }
}

// At an election: how many others still think they lead, how many nodes are
// up, and whether the new leader's log is the longest among them.
void ProtocolCoverage::count_leaders(const NodeView& leader) {
    std::size_t other_leaders = 0;
    std::size_t up = 0;
    core::Index longest_other = 0;
    for (const auto& [id, view] : nodes_) {
        if (!view.up) {
            continue;
        }
        up += 1;
        if (&view == &leader) {
            continue;
        }
        other_leaders += view.role == core::Role::leader ? 1 : 0;
        longest_other = std::max(longest_other, view.last_index());
    }
    bump(feature(Family::leaders, {{std::min<std::size_t>(other_leaders, 2), 3},
                                   {std::clamp<std::size_t>(up, 1, 5) - 1, 5},
                                   {order_class(leader.last_index(), longest_other), 3}}));
}

void ProtocolCoverage::on_hard_state(core::NodeId node, const core::HardState& hard_state) {
    NodeView& view = nodes_[node];
    std::size_t vote = 2;
    if (hard_state.voted_for == core::node_none) {
        vote = 0;
    } else if (hard_state.voted_for == node) {
        vote = 1;
    }
    bump(feature(Family::hard_state, {{vote, 3},
                                      {role_digit(view.role), roles},
                                      {term_class(hard_state.term, max_term_), term_classes}}));
    view.term = hard_state.term;
    note_term(hard_state.term);
}

void ProtocolCoverage::on_log_write(core::NodeId node, const std::vector<core::Entry>& entries) {
    if (entries.empty() || entries.front().index == 0) {
        return;  // index 0 holds no entry: nothing a log could look like
    }
    NodeView& view = nodes_[node];
    const core::Index first = entries.front().index;
    const core::Index old_last = view.last_index();
    // append 0, overwrite with a different term 1, rewrite of the same term
    // 2, a gap past the end 3 (no correct host writes one).
    std::size_t kind = 0;
    if (first > old_last + 1) {
        kind = 3;
    } else if (first <= old_last) {
        const bool conflict = first <= view.base_index ||
                              view.terms.at(first - view.base_index - 1) != entries.front().term;
        kind = conflict ? 1 : 2;
    }
    const core::Index dropped = first <= old_last ? old_last - first + 1 : 0;
    if (first <= view.base_index) {
        view.base_index = first - 1;
        view.terms.clear();
    }
    view.terms.resize(first - view.base_index - 1, 0);
    std::erase_if(view.configuration_indexes,
                  [first](core::Index index) { return index >= first; });
    for (const core::Entry& entry : entries) {
        view.terms.push_back(entry.term);
        if (entry.type == core::EntryType::configuration) {
            view.configuration_indexes.push_back(entry.index);
        }
    }
    bump(feature(Family::log_write, {{tail_term_class(view), 5},
                                     {kind, 4},
                                     {std::min<std::size_t>(gap_class(dropped), 3), 4},
                                     {view.has_snapshot ? 1U : 0U, 2},
                                     {role_digit(view.role), roles}}));
}

void ProtocolCoverage::on_commit_index(core::NodeId node, core::Index commit_index) {
    NodeView& view = nodes_[node];
    view.commit_index = commit_index;
    const core::Index last = view.last_index();
    const std::size_t own = commit_index > last ? gap_classes : gap_class(last - commit_index);
    const std::size_t cluster =
        commit_index > max_commit_ ? gap_classes : gap_class(max_commit_ - commit_index);
    bump_on_change(feature(Family::commit, {{role_digit(view.role), roles},
                                            {own, gap_classes + 1},
                                            {cluster, gap_classes + 1}}),
                   view.last_commit_feature);
    max_commit_ = std::max(max_commit_, commit_index);
}

void ProtocolCoverage::on_apply(core::NodeId node, const core::Entry& entry) {
    const NodeView& view = nodes_[node];
    bump(feature(Family::apply, {{static_cast<std::size_t>(entry.type), core::entry_type_count},
                                 {role_digit(view.role), roles},
                                 {entry.index > view.commit_index ? 1U : 0U, 2}}));
}

void ProtocolCoverage::on_send(const core::Message& message) {
    const NodeView& view = nodes_[message.from];
    std::size_t outcome = 0;
    if (core::is_response(message.type)) {
        outcome = message.granted || message.success ? 2 : 1;
    }
    bump(feature(Family::send, {{static_cast<std::size_t>(message.type), core::message_type_count},
                                {role_digit(view.role), roles},
                                {order_class(message.term, max_term_), 3},
                                {outcome, 3}}));
}

void ProtocolCoverage::on_snapshot(core::NodeId node, const core::Snapshot& snapshot, bool restore,
                                   bool discard_all) {
    NodeView& view = nodes_[node];
    bump(feature(Family::snapshot, {{restore ? 1U : 0U, 2},
                                    {discard_all ? 1U : 0U, 2},
                                    {role_digit(view.role), roles},
                                    {order_class(snapshot.index, view.commit_index), 3}}));
    view.has_snapshot = true;
    if (discard_all || snapshot.index >= view.last_index()) {
        view.terms.clear();
        view.base_index = snapshot.index;
    } else if (snapshot.index > view.base_index) {
        const auto kept_from = static_cast<std::ptrdiff_t>(snapshot.index - view.base_index);
        view.terms.erase(view.terms.begin(), view.terms.begin() + kept_from);
        view.base_index = snapshot.index;
    }
}

void ProtocolCoverage::on_crash(core::NodeId node) {
    NodeView& view = nodes_[node];
    bump(feature(Family::crash, {{role_digit(view.role), roles},
                                 {view.last_index() > view.commit_index ? 1U : 0U, 2}}));
    view.up = false;
    view.role = core::Role::follower;
}

void ProtocolCoverage::on_restart(core::NodeId node, const std::optional<core::Snapshot>& snapshot,
                                  const std::vector<core::Entry>& entries) {
    NodeView& view = nodes_[node];
    // Everything but the term (durable) starts afresh.
    const core::Term term = view.term;
    view = NodeView{};
    view.term = term;
    view.has_snapshot = snapshot.has_value();
    if (!entries.empty()) {
        view.base_index = entries.front().index - 1;
    } else if (snapshot.has_value()) {
        view.base_index = snapshot->index;
    }
    view.commit_index = snapshot.has_value() ? snapshot->index : 0;
    for (const core::Entry& entry : entries) {
        view.terms.push_back(entry.term);
        if (entry.type == core::EntryType::configuration) {
            view.configuration_indexes.push_back(entry.index);
        }
    }
    const core::Index last = view.last_index();
    bump(feature(Family::restart,
                 {{view.has_snapshot ? 1U : 0U, 2},
                  {entries.empty() ? 1U : 0U, 2},
                  {last < max_commit_ ? gap_class(max_commit_ - last) : 0, gap_classes}}));
}

void ProtocolCoverage::on_configuration(core::NodeId node,
                                        const core::Configuration& configuration) {
    NodeView& view = nodes_[node];
    std::size_t suffrage = 3;  // absent: removed, or not yet added
    if (const core::Server* self = configuration.find(node)) {
        suffrage = static_cast<std::size_t>(self->suffrage);
    }
    const auto uncommitted = static_cast<std::size_t>(
        std::count_if(view.configuration_indexes.begin(), view.configuration_indexes.end(),
                      [&view](core::Index index) { return index > view.commit_index; }));
    bump_on_change(feature(Family::configuration,
                           {{suffrage, 4},
                            {std::min<std::size_t>(uncommitted, 2), 3},
                            {role_digit(view.role), roles},
                            {std::min<std::size_t>(configuration.voter_count(), 5), 6}}),
                   view.last_configuration_feature);
}

void ProtocolCoverage::on_progress(core::NodeId leader, core::NodeId peer,
                                   core::Index match_index) {
    NodeView& view = nodes_[leader];
    // Below the leader's commit by a gap class (1..4), equal (0), or above
    // it by 1, 2-3, 4 or more (5..7).
    std::size_t against_commit = 0;
    if (match_index < view.commit_index) {
        against_commit = gap_class(view.commit_index - match_index);
    } else if (match_index > view.commit_index) {
        against_commit = 4 + std::min<std::size_t>(gap_class(match_index - view.commit_index), 3);
    }
    std::size_t peer_state = 0;  // down
    if (const auto found = nodes_.find(peer); found == nodes_.end() || found->second.up) {
        const core::Role role = found == nodes_.end() ? core::Role::follower : found->second.role;
        peer_state = role == core::Role::leader ? 3 : (role == core::Role::follower ? 1 : 2);
    }
    const std::size_t id = feature(
        Family::progress,
        {{against_commit, 8}, {order_class(match_index, view.last_index()), 3}, {peer_state, 4}});
    auto [last, inserted] = view.last_progress_feature.try_emplace(peer, SIZE_MAX);
    bump_on_change(id, last->second);
}

}  // namespace raftsim::fuzz
