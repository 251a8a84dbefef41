// JSON -> Scenario (parse.hpp). docs/scenarios.md is the reference of the
// format; this file is its only implementation.
//
// The parser stops at the first problem. Deep inside a section it throws the
// private `Failure`, which parse_scenario turns into a ScenarioError: passing
// an error value up through every helper would triple the code and bury the
// format under plumbing. Nothing escapes parse_scenario / load_scenario;
// nlohmann's exceptions are caught there too.
#include "raftsim/scenarios/parse.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "raftsim/core/assert.hpp"
#include "raftsim/scenarios/expect.hpp"

namespace raftsim::scenarios {
namespace {

using Json = nlohmann::json;
using Kind = Step::Kind;
using Fields = std::initializer_list<std::string_view>;

// Bounds on what a file may ask for. They catch typos ("repeat": 10000000000)
// and keep every loop over the input bounded (docs/style.md).
constexpr std::uint32_t max_nodes = 64;
constexpr std::size_t max_name_length = 64;
constexpr int max_step_depth = 16;
constexpr std::uint32_t max_repeat = 1'000'000;
// The counts a step may ask for, each far above what the scenarios in the
// tree use (the built-in suite, tests/golden, tests/e2e and fuzz/findings):
// at most apply 10000, a batch of 20, 2 churn changes, 15 branches and 208
// steps in a file; only the fuzz corpora and tests/scenarios, whose inputs
// sit at the bounds on purpose, reach them. The steps bound equals the default
// steps limit, so the flat list of steps any run within it executed fits in
// a file (raftsim shrink writes such lists).
constexpr std::uint32_t max_apply = 1'000'000;
constexpr std::uint32_t max_batch = 10'000;
/// Key-value clients: Jepsen runs a handful per node; the bounds keep a
/// run's history and the checker's search within reach.
constexpr std::uint32_t max_clients = 64;
constexpr std::uint32_t max_client_keys = 1'000;
constexpr std::uint32_t max_client_weight = 1'000;
constexpr std::uint32_t max_churn_changes = 10'000;
constexpr std::size_t max_branches = 1'024;
constexpr std::size_t max_steps_in_file = LimitsSpec::default_steps;
constexpr std::int64_t max_drift_ppm = 999'999;
// core::validate refuses a bound of half a tick rate or more.
constexpr std::uint32_t max_drift_bound_ppm = 499'999;
constexpr std::size_t max_quoted_chars = 40;
constexpr std::size_t max_message_faults = 65'536;
/// Far more expected failures than a kept finding names (one per system
/// and seed it fails on); the bound keeps the file's look-ups small.
constexpr std::size_t max_expect_entries = 1'024;
/// A message held back longer is lost in all but name, and the bound keeps
/// the simulator's "now + delay" far from overflowing.
constexpr TimeUs max_fault_delay_us = 3'600 * sim::us_per_second;
constexpr std::uint64_t u32_max = std::numeric_limits<std::uint32_t>::max();
/// The largest "limits" a file may ask for (spec.hpp says why).
constexpr std::uint64_t max_limit_events = LimitsSpec::max_events;
constexpr std::uint64_t max_limit_steps = LimitsSpec::max_steps;
constexpr std::uint64_t max_limit_requests = LimitsSpec::max_requests;

struct Failure {
    std::string path;
    std::string message;
};

[[noreturn]] void fail(std::string path, std::string message) {
    throw Failure{std::move(path), std::move(message)};
}

// ---------------------------------------------------------------- paths, text

std::string quote(std::string_view text);

/// Whether a key can follow a '.' in a path: letters, digits and '_'.
bool is_plain_key(std::string_view key) {
    bool plain = !key.empty();
    for (char c : key) {
        const bool alnum =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        plain = plain && (alnum || c == '_');
    }
    return plain;
}

/// "cluster.tick", or for any other key (an empty one, one with a '.', a
/// space or a quote, all of which an unknown field may be) the quoted form
/// `$[""]`, `steps[0]["a.b"]`: a path is never empty and never ambiguous.
std::string member_path(const std::string& parent, std::string_view key) {
    if (!is_plain_key(key)) {
        return fmt::format("{}[{}]", parent, quote(key));
    }
    if (parent == "$") {
        return std::string(key);
    }
    return fmt::format("{}.{}", parent, key);
}

std::string index_path(const std::string& parent, std::size_t index) {
    return fmt::format("{}[{}]", parent, index);
}

template <typename Range>
std::string join(const Range& items) {
    std::string out;
    for (const auto& item : items) {
        out += out.empty() ? "" : ", ";
        out += item;
    }
    return out;
}

/// At most max_quoted_chars bytes of `text` (cut at a UTF-8 character
/// boundary) and "...": messages quote what they found without pasting a
/// whole, possibly huge, value.
std::string clip(std::string_view text) {
    if (text.size() <= max_quoted_chars) {
        return std::string(text);
    }
    std::size_t end = max_quoted_chars;
    // Continuation bytes are 10xxxxxx.
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) {
        --end;
    }
    return std::string(text.substr(0, end)) + "...";
}

/// The first few items, each clipped: a message lists what a file defines
/// without pasting all of it (a file may name thousands of groups).
std::string clipped_list(const std::set<std::string>& items) {
    constexpr std::size_t shown = 16;
    std::vector<std::string> clipped;
    for (const std::string& item : items) {
        if (clipped.size() == shown) {
            clipped.push_back(fmt::format("and {} more", items.size() - shown));
            break;
        }
        clipped.push_back(clip(item));
    }
    return join(clipped);
}

/// A string value as JSON (escaped, quoted), clipped.
std::string quote(std::string_view text) {
    const std::string clipped = clip(text);
    if (clipped.size() == text.size()) {
        return Json(clipped).dump(-1, ' ', false, Json::error_handler_t::replace);
    }
    const std::string head = clipped.substr(0, clipped.size() - 3);
    return Json(head).dump(-1, ' ', false, Json::error_handler_t::replace) + "...";
}

/// What a value is, for "got ...". Containers are named, not dumped: dumping
/// recurses, and a hostile file can nest arrays a million deep.
std::string describe(const Json& value) {
    switch (value.type()) {
        case Json::value_t::null:
            return "null";
        case Json::value_t::object:
            return value.empty() ? "an empty object" : "an object";
        case Json::value_t::array:
            return value.empty() ? "an empty array" : "an array";
        case Json::value_t::string:
            return quote(value.get_ref<const std::string&>());
        default:
            return value.dump();  // a number or a boolean
    }
}

[[noreturn]] void fail_expected(const std::string& path, std::string_view expected,
                                const Json& got) {
    fail(path, fmt::format("expected {}, got {}", expected, describe(got)));
}

std::string format_duration(TimeUs duration_us) {
    constexpr std::array<std::pair<TimeUs, std::string_view>, 4> units{{
        {3'600 * sim::us_per_second, "h"},
        {60 * sim::us_per_second, "m"},
        {sim::us_per_second, "s"},
        {sim::us_per_ms, "ms"},
    }};
    for (const auto& [unit_us, suffix] : units) {
        if (duration_us != 0 && duration_us % unit_us == 0) {
            return fmt::format("{}{}", duration_us / unit_us, suffix);
        }
    }
    return fmt::format("{}us", duration_us);
}

// ---------------------------------------------------------------- durations

std::optional<TimeUs> unit_us(std::string_view unit) {
    constexpr std::array<std::pair<std::string_view, TimeUs>, 5> units{{
        {"us", 1},
        {"ms", sim::us_per_ms},
        {"s", sim::us_per_second},
        {"m", 60 * sim::us_per_second},
        {"h", 3'600 * sim::us_per_second},
    }};
    for (const auto& [name, value] : units) {
        if (name == unit) {
            return value;
        }
    }
    return std::nullopt;
}

/// The leading run of ASCII digits of `text` (locale-free, unlike isdigit).
std::string_view leading_digits(std::string_view text) {
    std::size_t end = 0;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') {
        ++end;
    }
    return text.substr(0, end);
}

std::optional<std::uint64_t> digits_value(std::string_view digits) {
    std::uint64_t value = 0;
    constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    for (char c : digits) {
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (value > (max - digit) / 10) {
            return std::nullopt;
        }
        value = value * 10 + digit;
    }
    return value;
}

/// The fraction digits ("5" of "1.5s") in microseconds, if that is a whole
/// number: computed as an integer ratio so no float ever rounds a duration.
std::optional<std::uint64_t> fraction_us(std::string_view fraction, TimeUs unit) {
    while (!fraction.empty() && fraction.back() == '0') {
        fraction.remove_suffix(1);
    }
    // The largest unit (1h = 3.6e9us) is divisible by 10^8 but not 10^9, so
    // nine or more significant fraction digits can never be whole microseconds.
    if (fraction.size() > 8) {
        return std::nullopt;
    }
    std::uint64_t scale = 1;
    for (std::size_t i = 0; i < fraction.size(); ++i) {
        scale *= 10;
    }
    // fraction < 10^8 and unit <= 3.6e9, so the product fits in 64 bits.
    const std::uint64_t scaled = *digits_value(fraction) * unit;
    if (scaled % scale != 0) {
        return std::nullopt;
    }
    return scaled / scale;
}

}  // namespace

std::optional<TimeUs> parse_duration(std::string_view text) {
    const std::string_view whole = leading_digits(text);
    if (whole.empty()) {
        return std::nullopt;  // also rejects a sign, a leading '.' and ""
    }
    text.remove_prefix(whole.size());
    std::string_view fraction;
    if (!text.empty() && text.front() == '.') {
        text.remove_prefix(1);
        fraction = leading_digits(text);
        if (fraction.empty()) {
            return std::nullopt;
        }
        text.remove_prefix(fraction.size());
    }
    const std::optional<TimeUs> unit = unit_us(text);
    const std::optional<std::uint64_t> count = digits_value(whole);
    if (!unit || !count) {
        return std::nullopt;
    }
    const std::optional<std::uint64_t> part = fraction_us(fraction, *unit);
    constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    if (!part || *count > (max - *part) / *unit) {
        return std::nullopt;
    }
    return *count * *unit + *part;
}

namespace {

// ---------------------------------------------------------------- typed values

const Json* find_field(const Json& object, std::string_view key) {
    const auto it = object.find(std::string(key));
    return it == object.end() ? nullptr : &*it;
}

const Json& required_field(const Json& object, const std::string& path, std::string_view key) {
    const Json* value = find_field(object, key);
    if (value == nullptr) {
        fail(path, fmt::format("missing required field '{}'", key));
    }
    return *value;
}

void expect_object(const Json& value, const std::string& path) {
    if (!value.is_object()) {
        fail_expected(path, "an object", value);
    }
}

/// Unknown keys are errors, so a typo never silently means "use the default".
void check_fields(const Json& object, const std::string& path, Fields allowed) {
    expect_object(object, path);
    for (auto it = object.begin(); it != object.end(); ++it) {
        bool known = false;
        for (std::string_view name : allowed) {
            known = known || name == it.key();
        }
        if (!known) {
            fail(member_path(path, it.key()), fmt::format("unknown field '{}'; expected one of: {}",
                                                          clip(it.key()), join(allowed)));
        }
    }
}

void expect_empty_object(const Json& value, const std::string& path) {
    if (!value.is_object() || !value.empty()) {
        fail_expected(path, "{}", value);
    }
}

const std::string& get_string(const Json& value, const std::string& path) {
    if (!value.is_string()) {
        fail_expected(path, "a string", value);
    }
    return value.get_ref<const std::string&>();
}

const std::string& get_nonempty_string(const Json& value, const std::string& path) {
    const std::string& text = get_string(value, path);
    if (text.empty()) {
        fail_expected(path, "a non-empty string", value);
    }
    return text;
}

bool get_bool(const Json& value, const std::string& path) {
    if (!value.is_boolean()) {
        fail_expected(path, "true or false", value);
    }
    return value.get<bool>();
}

bool optional_bool(const Json& object, const std::string& path, std::string_view key) {
    const Json* value = find_field(object, key);
    return value != nullptr && get_bool(*value, member_path(path, key));
}

/// A crash step's "after" modifier (absent: crash now).
std::string parse_crash_after(const Json& object, const std::string& path) {
    const Json* value = find_field(object, "after");
    if (value == nullptr) {
        return "";
    }
    const std::string at = member_path(path, "after");
    const std::string expected =
        "\"persist\", \"commit\" or a message type (request_vote_response, "
        "append_entries_response, ...)";
    if (!value->is_string() ||
        !crash_trigger_named(value->get_ref<const std::string&>(), false).has_value()) {
        fail_expected(at, expected, *value);
    }
    return value->get<std::string>();
}

std::optional<core::MessageType> message_type_named(const Json& value) {
    if (!value.is_string()) {
        return std::nullopt;
    }
    for (std::uint8_t i = 0; i < core::message_type_count; ++i) {
        const auto type = static_cast<core::MessageType>(i);
        if (core::to_string(type) == value.get_ref<const std::string&>()) {
            return type;
        }
    }
    return std::nullopt;
}

std::string message_type_list() {
    std::vector<std::string_view> names;
    for (std::uint8_t i = 0; i < core::message_type_count; ++i) {
        names.push_back(core::to_string(static_cast<core::MessageType>(i)));
    }
    return join(names);
}

std::int64_t get_int(const Json& value, const std::string& path, std::int64_t min,
                     std::int64_t max) {
    const std::string expected = fmt::format("an integer in [{}, {}]", min, max);
    if (!value.is_number_integer()) {
        fail_expected(path, expected, value);
    }
    if (value.is_number_unsigned() &&
        value.get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
        fail_expected(path, expected, value);
    }
    const auto number = value.get<std::int64_t>();
    if (number < min || number > max) {
        fail_expected(path, expected, value);
    }
    return number;
}

std::uint64_t get_u64(const Json& value, const std::string& path, std::uint64_t min,
                      std::uint64_t max) {
    const bool in_range = value.is_number_unsigned() && value.get<std::uint64_t>() >= min &&
                          value.get<std::uint64_t>() <= max;
    if (!in_range) {
        fail_expected(path, fmt::format("an integer in [{}, {}]", min, max), value);
    }
    return value.get<std::uint64_t>();
}

std::uint32_t get_u32(const Json& value, const std::string& path, std::uint32_t min,
                      std::uint64_t max = u32_max) {
    std::string expected = fmt::format("an integer in [{}, {}]", min, max);
    if (max == u32_max && min <= 1) {
        expected = min == 0 ? "a non-negative integer" : "a positive integer";
    }
    const bool in_range = value.is_number_unsigned() && value.get<std::uint64_t>() >= min &&
                          value.get<std::uint64_t>() <= max;
    if (!in_range) {
        fail_expected(path, expected, value);
    }
    return static_cast<std::uint32_t>(value.get<std::uint64_t>());
}

TimeUs get_duration(const Json& value, const std::string& path) {
    if (!value.is_string()) {
        fail_expected(path, "a duration string like \"10s\"", value);
    }
    const std::optional<TimeUs> duration = parse_duration(value.get_ref<const std::string&>());
    if (!duration) {
        fail(path, fmt::format("expected a duration string like \"10s\", got {} (digits, an "
                               "optional fraction, then us, ms, s, m or h; whole microseconds)",
                               describe(value)));
    }
    // Far beyond any useful run, and far from overflowing the simulator's
    // clock when added to the time already simulated.
    constexpr TimeUs max_duration_us = 1000ULL * 3600 * sim::us_per_second;
    if (*duration > max_duration_us) {
        fail(path, fmt::format("expected a duration of at most 1000h, got {}", describe(value)));
    }
    return *duration;
}

TimeUs get_positive_duration(const Json& value, const std::string& path) {
    const TimeUs duration = get_duration(value, path);
    if (duration == 0) {
        fail(path, "expected a duration above zero, got \"0\"");
    }
    return duration;
}

std::pair<TimeUs, TimeUs> get_duration_range(const Json& value, const std::string& path) {
    if (!value.is_array() || value.size() != 2) {
        fail_expected(path, "[min, max] durations like [\"1ms\", \"5ms\"]", value);
    }
    const TimeUs min = get_duration(value[0], index_path(path, 0));
    const TimeUs max = get_duration(value[1], index_path(path, 1));
    if (min > max) {
        fail(path, fmt::format("the minimum {} is above the maximum {}", format_duration(min),
                               format_duration(max)));
    }
    return {min, max};
}

sim::Ratio get_ratio(const Json& value, const std::string& path) {
    // The number 0 (or 0.0) is the common "off" and reads better than [0, 1].
    if (value.is_number() && value == 0) {
        return sim::Ratio{};
    }
    if (!value.is_array() || value.size() != 2) {
        fail_expected(path, "a ratio [numerator, denominator] like [1, 100], or 0", value);
    }
    const sim::Ratio ratio{.numerator = get_u32(value[0], index_path(path, 0), 0),
                           .denominator = get_u32(value[1], index_path(path, 1), 1)};
    if (ratio.numerator > ratio.denominator) {
        fail(path, fmt::format("numerator {} is above denominator {}: a ratio is a probability",
                               ratio.numerator, ratio.denominator));
    }
    return ratio;
}

// ---------------------------------------------------------------- sections

bool is_reserved_name(std::string_view name) {
    return name == "leader" || name == "followers" || name == "all";
}

/// Scenario and node names become file and directory names (an artifact is
/// OUT/NAME-seedN, each node's files are under nodes/NAME) and words on
/// command lines: so only [A-Za-z0-9_.-], and no leading '.' (".", "..",
/// hidden files) or '-' (read as a flag).
void check_name_text(const std::string& name, const std::string& path, const Json& value) {
    bool valid = !name.empty() && name.size() <= max_name_length;
    for (char c : name) {
        const bool alnum =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        valid = valid && (alnum || c == '_' || c == '.' || c == '-');
    }
    valid = valid && name.front() != '.' && name.front() != '-';
    if (!valid) {
        fail_expected(path,
                      "a name of 1 to 64 characters from [A-Za-z0-9_.-], not starting with '.' "
                      "or '-'",
                      value);
    }
}

std::vector<std::string> parse_names(const Json& value, const std::string& path) {
    if (!value.is_array() || value.empty() || value.size() > max_nodes) {
        fail_expected(path, "an array of 1 to 64 node names", value);
    }
    std::vector<std::string> names;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string element_path = index_path(path, i);
        const std::string& name = get_string(value[i], element_path);
        check_name_text(name, element_path, value[i]);
        if (is_reserved_name(name)) {
            fail(element_path,
                 fmt::format("'{}' is a selector keyword and cannot name a node", name));
        }
        for (std::size_t j = 0; j < names.size(); ++j) {
            if (names[j] == name) {
                fail(element_path, fmt::format("duplicate node name '{}' (also at {})", name,
                                               index_path(path, j)));
            }
        }
        names.push_back(name);
    }
    return names;
}

std::vector<std::string> numbered_names(const Json& cluster, const Json& voters) {
    const std::uint32_t count = get_u32(voters, "cluster.voters", 1, max_nodes);
    std::string prefix = "node";
    if (const Json* value = find_field(cluster, "name_prefix")) {
        prefix = get_string(*value, "cluster.name_prefix");
        check_name_text(prefix, "cluster.name_prefix", *value);
    }
    std::vector<std::string> names;
    for (std::uint32_t i = 0; i < count; ++i) {
        names.push_back(fmt::format("{}_{}", prefix, i));
    }
    // The numbered names obey the rules of listed names, so every cluster can
    // be written back as a "names" list (write.hpp).
    if (names.back().size() > max_name_length) {
        fail("cluster.name_prefix",
             fmt::format("the prefix is too long: node name '{}' would be longer than {} "
                         "characters",
                         clip(names.back()), max_name_length));
    }
    return names;
}

ClusterSpec parse_cluster(const Json& value) {
    const std::string path = "cluster";
    check_fields(value, path, {"voters", "name_prefix", "names", "tick", "disk_sync"});
    ClusterSpec cluster;
    const Json* voters = find_field(value, "voters");
    const Json* names = find_field(value, "names");
    if (voters != nullptr && names != nullptr) {
        fail(path, "give either \"voters\" (a count) or \"names\" (a list), not both");
    }
    if (names != nullptr) {
        if (find_field(value, "name_prefix") != nullptr) {
            fail("cluster.name_prefix", "\"name_prefix\" goes with \"voters\", not with \"names\"");
        }
        cluster.names = parse_names(*names, "cluster.names");
    } else if (voters != nullptr) {
        cluster.names = numbered_names(value, *voters);
    } else {
        fail(path, "missing \"voters\" (a count) or \"names\" (a list of node names)");
    }
    if (const Json* tick = find_field(value, "tick")) {
        cluster.tick_us = get_duration(*tick, "cluster.tick");
        if (cluster.tick_us == 0) {
            fail("cluster.tick", "the tick must be longer than 0us");
        }
    }
    if (const Json* disk_sync = find_field(value, "disk_sync")) {
        cluster.disk_sync_us = get_duration(*disk_sync, "cluster.disk_sync");
    }
    return cluster;
}

core::VoteRule parse_vote_rule(const Json& value, const std::string& path) {
    for (const core::VoteRule rule : {core::VoteRule::hashicorp, core::VoteRule::thesis}) {
        if (value.is_string() && value.get_ref<const std::string&>() == core::to_string(rule)) {
            return rule;
        }
    }
    fail_expected(path, "\"hashicorp\" or \"thesis\"", value);
}

void parse_raft_fields(const Json& value, core::DurationConfig& raft) {
    const std::string path = "raft";
    check_fields(value, path,
                 {"heartbeat_timeout", "election_timeout", "commit_timeout", "leader_lease",
                  "max_append_entries", "max_inflight_appends", "max_uncommitted_entries",
                  "snapshot_threshold", "trailing_logs", "pre_vote", "check_quorum", "vote_rule",
                  "lease_reads", "clock_drift_bound_ppm"});
    const std::array<std::pair<std::string_view, std::uint64_t*>, 4> durations{{
        {"heartbeat_timeout", &raft.heartbeat_timeout_us},
        {"election_timeout", &raft.election_timeout_us},
        {"commit_timeout", &raft.commit_timeout_us},
        {"leader_lease", &raft.leader_lease_us},
    }};
    for (const auto& [key, target] : durations) {
        if (const Json* field = find_field(value, key)) {
            *target = get_duration(*field, member_path(path, key));
        }
    }
    const std::array<std::pair<std::string_view, std::uint32_t*>, 3> counts{{
        {"max_append_entries", &raft.max_append_entries},
        {"max_inflight_appends", &raft.max_inflight_appends},
        {"max_uncommitted_entries", &raft.max_uncommitted_entries},
    }};
    for (const auto& [key, target] : counts) {
        if (const Json* field = find_field(value, key)) {
            *target = get_u32(*field, member_path(path, key), 1);
        }
    }
    // Entry counts where 0 means something (never snapshot, keep no trail).
    const std::array<std::pair<std::string_view, std::uint32_t*>, 2> entry_counts{{
        {"snapshot_threshold", &raft.snapshot_threshold_entries},
        {"trailing_logs", &raft.trailing_log_entries},
    }};
    for (const auto& [key, target] : entry_counts) {
        if (const Json* field = find_field(value, key)) {
            *target = get_u32(*field, member_path(path, key), 0);
        }
    }
    const std::array<std::pair<std::string_view, bool*>, 3> flags{{
        {"pre_vote", &raft.pre_vote},
        {"check_quorum", &raft.check_quorum},
        {"lease_reads", &raft.lease_reads},
    }};
    for (const auto& [key, target] : flags) {
        if (const Json* field = find_field(value, key)) {
            *target = get_bool(*field, member_path(path, key));
        }
    }
    if (const Json* field = find_field(value, "vote_rule")) {
        raft.vote_rule = parse_vote_rule(*field, member_path(path, "vote_rule"));
    }
    if (const Json* field = find_field(value, "clock_drift_bound_ppm")) {
        raft.clock_drift_bound_ppm =
            get_u32(*field, member_path(path, "clock_drift_bound_ppm"), 0, max_drift_bound_ppm);
    }
}

/// The settings are checked exactly as the simulator will use them: converted
/// to ticks of the cluster's tick and validated (core::to_ticks), so a file
/// that parses never trips an assertion when the run starts.
core::DurationConfig parse_raft(const Json* value, TimeUs tick_us) {
    core::DurationConfig raft;
    if (value != nullptr) {
        parse_raft_fields(*value, raft);
    }
    const core::ConfigError error = core::to_ticks(raft, tick_us).error;
    if (error == core::ConfigError::ok) {
        return raft;
    }
    std::string message = fmt::format("invalid raft settings: {}", core::to_string(error));
    if (error == core::ConfigError::duration_not_multiple_of_tick ||
        error == core::ConfigError::duration_too_long) {
        message += fmt::format(" (cluster.tick is {})", format_duration(tick_us));
    }
    fail("raft", std::move(message));
}

NetworkSpec parse_network(const Json& value, const std::string& path) {
    check_fields(value, path,
                 {"latency", "drop", "duplicate", "reorder", "reorder_delay_max", "stale_replay",
                  "stale_replay_delay", "queue_capacity"});
    NetworkSpec network;
    if (const Json* latency = find_field(value, "latency")) {
        const auto [min, max] = get_duration_range(*latency, member_path(path, "latency"));
        network.latency_min_us = min;
        network.latency_max_us = max;
    }
    const std::array<std::pair<std::string_view, std::optional<sim::Ratio>*>, 4> ratios{{
        {"drop", &network.drop},
        {"duplicate", &network.duplicate},
        {"reorder", &network.reorder},
        {"stale_replay", &network.stale_replay},
    }};
    for (const auto& [key, target] : ratios) {
        if (const Json* field = find_field(value, key)) {
            *target = get_ratio(*field, member_path(path, key));
        }
    }
    if (const Json* delay = find_field(value, "reorder_delay_max")) {
        network.reorder_delay_max_us = get_duration(*delay, member_path(path, "reorder_delay_max"));
    }
    if (const Json* delay = find_field(value, "stale_replay_delay")) {
        const std::string delay_path = member_path(path, "stale_replay_delay");
        const auto [min, max] = get_duration_range(*delay, delay_path);
        // Each bound is a message fault's delay, named by its own path.
        for (std::size_t i = 0; i < 2; ++i) {
            const TimeUs bound = i == 0 ? min : max;
            if (bound == 0 || bound > max_fault_delay_us) {
                fail(index_path(delay_path, i),
                     fmt::format("expected a delay above 0us and at most 1h, got {}",
                                 describe((*delay)[i])));
            }
        }
        network.stale_replay_delay_min_us = min;
        network.stale_replay_delay_max_us = max;
    }
    if (const Json* capacity = find_field(value, "queue_capacity")) {
        network.queue_capacity = get_u32(*capacity, member_path(path, "queue_capacity"), 1);
    }
    return network;
}

WorkloadSpec parse_workload(const Json* value, const std::string& scenario_name) {
    WorkloadSpec workload;
    workload.source = scenario_name;
    if (value == nullptr) {
        return workload;
    }
    check_fields(*value, "workload", {"source", "batch", "think", "continuous"});
    if (const Json* source = find_field(*value, "source")) {
        workload.source = get_nonempty_string(*source, "workload.source");
    }
    if (const Json* batch = find_field(*value, "batch")) {
        workload.batch = get_u32(*batch, "workload.batch", 1, max_batch);
    }
    if (const Json* think = find_field(*value, "think")) {
        workload.think_us = get_positive_duration(*think, "workload.think");
    }
    workload.continuous = optional_bool(*value, "workload", "continuous");
    return workload;
}

sim::StateMachineKind parse_state_machine(const Json& value) {
    for (const auto kind : {sim::StateMachineKind::hash_chain, sim::StateMachineKind::kv}) {
        if (value.is_string() && value.get_ref<const std::string&>() == sim::to_string(kind)) {
            return kind;
        }
    }
    fail_expected("state_machine", "\"hash_chain\" or \"kv\"", value);
}

void parse_client_mix(const Json& value, sim::KvClientOptions& clients) {
    const std::string path = "clients.mix";
    check_fields(value, path, {"put", "get", "delete", "cas", "read_index", "lease_read"});
    const std::pair<std::string_view, std::uint32_t sim::KvClientOptions::*> weights[] = {
        {"put", &sim::KvClientOptions::put_weight},
        {"get", &sim::KvClientOptions::get_weight},
        {"delete", &sim::KvClientOptions::delete_weight},
        {"cas", &sim::KvClientOptions::cas_weight},
        {"read_index", &sim::KvClientOptions::read_index_weight},
        {"lease_read", &sim::KvClientOptions::lease_read_weight}};
    for (const auto& [key, field] : weights) {
        clients.*field = 0;  // a mix names every kind it wants
        if (const Json* weight = find_field(value, key)) {
            clients.*field = get_u32(*weight, member_path(path, key), 0, max_client_weight);
        }
    }
    if (sim::total_weight(clients) == 0) {
        fail(path, "expected at least one kind with a weight above 0");
    }
}

sim::KvClientOptions parse_clients(const Json& value) {
    const std::string path = "clients";
    check_fields(value, path, {"count", "keys", "mix", "think", "timeout", "continuous"});
    sim::KvClientOptions clients;
    clients.clients =
        get_u32(required_field(value, path, "count"), member_path(path, "count"), 1, max_clients);
    if (const Json* keys = find_field(value, "keys")) {
        clients.keys = get_u32(*keys, member_path(path, "keys"), 1, max_client_keys);
    }
    if (const Json* mix = find_field(value, "mix")) {
        parse_client_mix(*mix, clients);
    }
    if (const Json* think = find_field(value, "think")) {
        clients.think_us = get_duration(*think, member_path(path, "think"));
    }
    if (const Json* timeout = find_field(value, "timeout")) {
        clients.timeout_us = get_positive_duration(*timeout, member_path(path, "timeout"));
    }
    clients.continuous = true;
    if (const Json* continuous = find_field(value, "continuous")) {
        clients.continuous = get_bool(*continuous, member_path(path, "continuous"));
    }
    return clients;
}

ChecksSpec parse_checks(const Json& value) {
    ChecksSpec checks;
    if (value.is_string() && value.get_ref<const std::string&>() == "all") {
        return checks;
    }
    if (!value.is_object()) {
        fail_expected("checks", "\"all\" or {\"verify\": true, \"settle\": \"60s\"}", value);
    }
    check_fields(value, "checks", {"verify", "settle", "black_box"});
    if (const Json* verify = find_field(value, "verify")) {
        checks.verify = get_bool(*verify, "checks.verify");
    }
    if (const Json* settle = find_field(value, "settle")) {
        checks.settle_us = get_duration(*settle, "checks.settle");
    }
    if (const Json* black_box = find_field(value, "black_box")) {
        checks.black_box = get_bool(*black_box, "checks.black_box");
    }
    return checks;
}

/// Each limit is optional; an omitted one keeps its default.
LimitsSpec parse_limits(const Json& value) {
    const std::string path = "limits";
    check_fields(value, path, {"events", "simulated_time", "steps", "requests"});
    LimitsSpec limits;
    const std::array<std::tuple<std::string_view, std::uint64_t*, std::uint64_t>, 3> counts{{
        {"events", &limits.events, max_limit_events},
        {"steps", &limits.steps, max_limit_steps},
        {"requests", &limits.requests, max_limit_requests},
    }};
    for (const auto& [key, target, max] : counts) {
        if (const Json* field = find_field(value, key)) {
            *target = get_u64(*field, member_path(path, key), 1, max);
        }
    }
    if (const Json* time = find_field(value, "simulated_time")) {
        limits.simulated_time_us =
            get_positive_duration(*time, member_path(path, "simulated_time"));
    }
    RAFT_ASSERT(limits.events >= 1);
    RAFT_ASSERT(limits.simulated_time_us >= 1);
    return limits;
}

// ---------------------------------------------------------------- message faults

/// {"message": N, "drop": true}, {"message": N, "duplicate": true},
/// {"message": N, "delay": D} or {"message": N, "replay": D}: exactly one
/// fault, so a file never leaves unsaid which one a message gets.
sim::MessageFault parse_message_fault(const Json& value, const std::string& path) {
    check_fields(value, path, {"message", "drop", "duplicate", "delay", "replay"});
    const Json& message = required_field(value, path, "message");
    if (!message.is_number_unsigned() || message.get<std::uint64_t>() == 0) {
        fail_expected(member_path(path, "message"),
                      "a message number >= 1 (the 1st message sent in the run is 1)", message);
    }
    std::vector<std::string_view> given;
    for (std::string_view key : {"drop", "duplicate", "delay", "replay"}) {
        if (find_field(value, key) != nullptr) {
            given.push_back(key);
        }
    }
    if (given.size() != 1) {
        fail(path, given.empty()
                       ? std::string("a message fault has exactly one of drop, duplicate, "
                                     "delay or replay, found none")
                       : fmt::format("a message fault has exactly one of drop, duplicate, "
                                     "delay or replay, found '{}' and '{}'",
                                     given[0], given[1]));
    }
    sim::MessageFault fault{.message = message.get<std::uint64_t>()};
    const Json& argument = value.at(std::string(given[0]));
    const std::string argument_path = member_path(path, given[0]);
    if (given[0] == "delay" || given[0] == "replay") {
        // A replay's duration is how long after the message its copy comes.
        fault.kind =
            given[0] == "delay" ? sim::MessageFault::Kind::delay : sim::MessageFault::Kind::replay;
        fault.delay_us = get_duration(argument, argument_path);
        if (fault.delay_us == 0 || fault.delay_us > max_fault_delay_us) {
            fail(argument_path, fmt::format("expected a delay above 0us and at most 1h, got {}",
                                            describe(argument)));
        }
    } else if (!argument.is_boolean() || !argument.get<bool>()) {
        // "drop": false would read as "not dropped" yet still be a fault.
        fail_expected(argument_path, "true", argument);
    } else {
        fault.kind =
            given[0] == "drop" ? sim::MessageFault::Kind::drop : sim::MessageFault::Kind::duplicate;
    }
    RAFT_ASSERT(fault.message >= 1);
    RAFT_ASSERT(fault.kind != sim::MessageFault::Kind::delay || fault.delay_us > 0);
    RAFT_ASSERT(fault.kind != sim::MessageFault::Kind::replay || fault.delay_us > 0);
    return fault;
}

/// The simulator takes at most one fault per message (Network::
/// set_message_faults asserts it), so a repeated number is refused here.
std::vector<sim::MessageFault> parse_message_faults(const Json& value) {
    const std::string path = "message_faults";
    if (!value.is_array() || value.size() > max_message_faults) {
        fail_expected(path,
                      fmt::format("an array of at most {} message faults like "
                                  "[{{\"message\": 7, \"drop\": true}}]",
                                  max_message_faults),
                      value);
    }
    std::vector<sim::MessageFault> faults;
    std::map<std::uint64_t, std::size_t> index_of;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string fault_path = index_path(path, i);
        const sim::MessageFault fault = parse_message_fault(value[i], fault_path);
        const auto [it, inserted] = index_of.emplace(fault.message, i);
        if (!inserted) {
            fail(member_path(fault_path, "message"),
                 fmt::format("duplicate message number {} (also at {}): a message has at most "
                             "one fault",
                             fault.message, member_path(index_path(path, it->second), "message")));
        }
        faults.push_back(fault);
    }
    RAFT_ASSERT(faults.size() == value.size());
    RAFT_ASSERT(index_of.size() == faults.size());
    return faults;
}

// ---------------------------------------------------------------- expect

/// A system's name in an expectation. Any name is allowed, since a file
/// outlives builds and may name a system this one lacks, but it must look
/// like one (as `--sut` names do), so that a typo cannot pass for one.
std::string parse_sut_name(const Json& value, const std::string& path) {
    const auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
    bool well_formed = value.is_string();
    if (well_formed) {
        const std::string& name = value.get_ref<const std::string&>();
        well_formed = !name.empty() && name.size() <= max_name_length && lower(name.front());
        for (const char c : name) {
            well_formed =
                well_formed && (lower(c) || (c >= '0' && c <= '9') || c == '_' || c == '-');
        }
    }
    if (!well_formed) {
        fail_expected(path,
                      "a system name like \"canonical\" (1 to 64 characters from [a-z0-9_-], "
                      "starting with a letter)",
                      value);
    }
    return value.get<std::string>();
}

/// "fails_with": {"checker": C, "kind": K}, both required.
void parse_fails_with(const Json& value, const std::string& path, ExpectedFailure& entry) {
    check_fields(value, path, {"checker", "kind"});
    entry.checker =
        get_nonempty_string(required_field(value, path, "checker"), member_path(path, "checker"));
    entry.kind =
        get_nonempty_string(required_field(value, path, "kind"), member_path(path, "kind"));
    RAFT_ASSERT(!entry.checker.empty());
    RAFT_ASSERT(!entry.kind.empty());
}

/// {"sut": S, "seed": N, "fails_with": {...}, "fixed_in": V, "why": W}:
/// seed and fails_with required.
ExpectedFailure parse_expected_failure(const Json& value, const std::string& path) {
    check_fields(value, path, {"sut", "seed", "fails_with", "fixed_in", "why"});
    ExpectedFailure entry;
    if (const Json* sut = find_field(value, "sut")) {
        entry.sut = parse_sut_name(*sut, member_path(path, "sut"));
    }
    entry.seed = get_u64(required_field(value, path, "seed"), member_path(path, "seed"), 0,
                         std::numeric_limits<std::uint64_t>::max());
    const std::string fails_path = member_path(path, "fails_with");
    parse_fails_with(required_field(value, path, "fails_with"), fails_path, entry);
    if (const Json* fixed = find_field(value, "fixed_in")) {
        if (!fixed->is_string() ||
            !parse_version(fixed->get_ref<const std::string&>()).has_value()) {
            fail_expected(member_path(path, "fixed_in"),
                          "a version like \"0.17.1\" (1 to 4 numbers of at most 9 digits, "
                          "separated by dots)",
                          *fixed);
        }
        entry.fixed_in = fixed->get<std::string>();
    }
    if (const Json* why = find_field(value, "why")) {
        entry.why = get_string(*why, member_path(path, "why"));
    }
    RAFT_ASSERT(!entry.sut.empty());
    RAFT_ASSERT(entry.fixed_in.empty() || parse_version(entry.fixed_in).has_value());
    return entry;
}

/// A run has one result, so at most one entry may speak for a (sut, seed).
std::vector<ExpectedFailure> parse_expect(const Json& value) {
    const std::string path = "expect";
    if (!value.is_array() || value.size() > max_expect_entries) {
        fail_expected(path,
                      fmt::format("an array of at most {} expected failures like [{{\"seed\": 7, "
                                  "\"fails_with\": {{\"checker\": \"liveness\", \"kind\": "
                                  "\"no_leader\"}}}}]",
                                  max_expect_entries),
                      value);
    }
    std::vector<ExpectedFailure> entries;
    std::map<std::pair<std::string, std::uint64_t>, std::size_t> index_of;
    for (std::size_t i = 0; i < value.size(); ++i) {
        ExpectedFailure entry = parse_expected_failure(value[i], index_path(path, i));
        const auto [it, inserted] = index_of.emplace(std::make_pair(entry.sut, entry.seed), i);
        if (!inserted) {
            fail(index_path(path, i),
                 fmt::format("duplicate expectation for sut {} seed {} (also at {}): a run has "
                             "one result, so at most one entry may expect it",
                             quote(entry.sut), entry.seed, index_path(path, it->second)));
        }
        entries.push_back(std::move(entry));
    }
    RAFT_ASSERT(entries.size() == value.size());
    RAFT_ASSERT(index_of.size() == entries.size());
    return entries;
}

// ---------------------------------------------------------------- steps

struct Action {
    std::string_view key;
    Kind kind;
    /// The extra keys this action takes ("" pads the array).
    std::array<std::string_view, 3> modifiers;
};

constexpr std::array<Action, 34> actions{{
    {"sleep", Kind::sleep, {}},
    {"wait_for_leader", Kind::wait_for_leader, {"optional"}},
    {"partition", Kind::partition, {"as"}},
    {"heal", Kind::heal, {}},
    {"heal_all", Kind::heal_all, {}},
    {"cut", Kind::cut, {}},
    {"restore", Kind::restore, {}},
    {"slow_votes", Kind::slow_votes, {}},
    {"clear_slow_votes", Kind::clear_slow_votes, {}},
    {"slow_links", Kind::slow_links, {}},
    {"clear_slow_links", Kind::clear_slow_links, {}},
    {"network", Kind::network, {}},
    {"crash", Kind::crash, {"lose_unsynced", "torn", "after"}},
    {"restart", Kind::restart, {}},
    {"clock_drift", Kind::clock_drift, {}},
    {"apply", Kind::apply, {}},
    {"start_workload", Kind::start_workload, {}},
    {"stop_workload", Kind::stop_workload, {}},
    {"wait_until_up_to_date", Kind::wait_until_up_to_date, {"optional"}},
    {"repeat", Kind::repeat, {"steps"}},
    {"one_of", Kind::one_of, {}},
    {"add_voter", Kind::add_voter, {"within", "optional"}},
    {"add_nonvoter", Kind::add_nonvoter, {"within", "optional"}},
    {"demote_voter", Kind::demote_voter, {"within", "optional"}},
    {"remove_server", Kind::remove_server, {"within", "optional"}},
    {"create_node", Kind::create_node, {"as", "within", "optional"}},
    {"transfer_leadership", Kind::transfer_leadership, {"within", "optional"}},
    {"snapshot", Kind::snapshot, {}},
    {"membership_churn", Kind::membership_churn, {"optional"}},
    {"calm", Kind::calm, {}},
    {"start_clients", Kind::start_clients, {}},
    {"stop_clients", Kind::stop_clients, {}},
    {"pause", Kind::pause, {"for"}},
    {"wipe", Kind::wipe, {"optional"}},
}};

constexpr std::array<std::string_view, 8> modifiers{"optional", "as",     "lose_unsynced", "torn",
                                                    "steps",    "within", "after",         "for"};

/// How long a membership change / a leadership transfer may take when the
/// step has no "within".
constexpr TimeUs membership_within_us = 60 * sim::us_per_second;
constexpr TimeUs transfer_within_us = 10 * sim::us_per_second;

/// The action's key, then the modifiers it takes.
std::vector<std::string_view> action_fields(const Action& action) {
    std::vector<std::string_view> fields{action.key};
    for (std::string_view modifier : action.modifiers) {
        if (!modifier.empty()) {
            fields.push_back(modifier);
        }
    }
    return fields;
}

const Action* action_named(std::string_view key) {
    for (const Action& action : actions) {
        if (action.key == key) {
            return &action;
        }
    }
    return nullptr;
}

std::string action_list() {
    std::vector<std::string_view> keys;
    for (const Action& action : actions) {
        keys.push_back(action.key);
    }
    return join(keys);
}

/// The step's one action key. Keys that are neither an action nor a modifier
/// are reported as unknown first: a misspelt action should be named as such,
/// not as "a step without an action".
const Action& find_action(const Json& step, const std::string& path) {
    const Action* found = nullptr;
    for (auto it = step.begin(); it != step.end(); ++it) {
        const Action* action = action_named(it.key());
        bool is_modifier = false;
        for (std::string_view modifier : modifiers) {
            is_modifier = is_modifier || modifier == it.key();
        }
        if (action == nullptr && !is_modifier) {
            fail(member_path(path, it.key()),
                 fmt::format("unknown field '{}'; expected one of: {}, {}", clip(it.key()),
                             action_list(), join(modifiers)));
        }
        if (action != nullptr && found != nullptr) {
            fail(path, fmt::format("a step has exactly one action, found '{}' and '{}'", found->key,
                                   action->key));
        }
        found = action != nullptr ? action : found;
    }
    if (found == nullptr) {
        fail(path, fmt::format("a step has exactly one action ({}), found none", action_list()));
    }
    const std::vector<std::string_view> allowed = action_fields(*found);
    for (auto it = step.begin(); it != step.end(); ++it) {
        if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
            fail(member_path(path, it.key()),
                 fmt::format("unknown field '{}' for a '{}' step; expected one of: {}",
                             clip(it.key()), found->key, join(allowed)));
        }
    }
    return *found;
}

/// A membership or transfer step's deadline ("within", else `default_us`)
/// and "optional".
void fill_deadline(Step& step, const Json& object, TimeUs default_us) {
    step.duration_us = default_us;
    if (const Json* within = find_field(object, "within")) {
        step.duration_us = get_duration(*within, member_path(step.json_path, "within"));
    }
    step.optional = optional_bool(object, step.json_path, "optional");
}

/// Counts the steps of a steps array and of every nested one, failing at
/// the first beyond max_steps_in_file, before any Step is built: a 16 MiB
/// file of tiny steps must not become a vector of a million Steps. Only the
/// shape is looked at; everything else is left to the parse that follows,
/// which refuses what is malformed or nested too deep.
void count_steps(const Json& value, const std::string& path, int depth, std::size_t& count) {
    if (!value.is_array() || depth > max_step_depth) {
        return;
    }
    for (std::size_t i = 0; i < value.size(); ++i) {
        count += 1;
        if (count > max_steps_in_file) {
            fail(index_path(path, i),
                 fmt::format("more than {} steps in the file (nested ones count)",
                             max_steps_in_file));
        }
        const Json& step = value[i];
        if (!step.is_object()) {
            continue;
        }
        const std::string step_path = index_path(path, i);
        if (const Json* repeat = find_field(step, "repeat"); repeat != nullptr) {
            if (const Json* nested = find_field(step, "steps")) {
                count_steps(*nested, member_path(member_path(step_path, "repeat"), "steps"),
                            depth + 1, count);
            }
        }
        const Json* branches = find_field(step, "one_of");
        for (std::size_t b = 0; branches != nullptr && branches->is_array() &&
                                b < std::min(branches->size(), max_branches);
             ++b) {
            const Json& branch = (*branches)[b];
            if (const Json* nested = branch.is_object() ? find_field(branch, "steps") : nullptr) {
                count_steps(*nested,
                            member_path(index_path(member_path(step_path, "one_of"), b), "steps"),
                            depth + 1, count);
            }
        }
    }
}

class Parser {
  public:
    [[nodiscard]] Scenario parse(const Json& root);

  private:
    [[nodiscard]] std::vector<Step> parse_steps(const Json& value, const std::string& path,
                                                int depth);
    [[nodiscard]] Step parse_step(const Json& value, const std::string& path, int depth);
    /// Fills the flow-control actions; false if `step` is not one.
    bool fill_flow(Step& step, const Json& object, const Json& argument, const std::string& path,
                   int depth);
    void fill_fault(Step& step, const Json& object, const Json& argument, const std::string& path);
    /// Fills the membership, leadership and snapshot actions; false if
    /// `step` is not one.
    bool fill_membership(Step& step, const Json& object, const Json& argument,
                         const std::string& path);
    void fill_create_node(Step& step, const Json& object, const Json& argument,
                          const std::string& path);
    void fill_transfer(Step& step, const Json& object, const Json& argument,
                       const std::string& path);
    void fill_link_step(Step& step, const Json& argument, const std::string& path);
    void fill_slow_votes(Step& step, const Json& argument, const std::string& path);
    void fill_slow_links(Step& step, const Json& argument, const std::string& path);
    [[nodiscard]] std::vector<Branch> parse_branches(const Json& value, const std::string& path,
                                                     int depth);
    void check_groups() const;
    void parse_state_machine_and_clients(const Json& root, Scenario& scenario);

    [[nodiscard]] std::vector<NodeSelector> parse_nodeset(const Json& value,
                                                          const std::string& path);
    [[nodiscard]] NodeSelector parse_selector(const Json& value, const std::string& path);
    [[nodiscard]] NodeSelector named_selector(const Json& value, const std::string& path) const;
    [[nodiscard]] std::string unknown_node_message(const std::string& name) const;
    [[nodiscard]] NodeSelector counted_selector(NodeSelector::Kind kind, const Json& value,
                                                const std::string& path) const;
    void parse_count_range(const Json& value, const std::string& path,
                           NodeSelector& selector) const;

    /// Every node a selector may name: the cluster's, then those of the
    /// create_node steps parsed so far (document order).
    std::vector<std::string> names_;
    std::size_t cluster_size_ = 0;
    /// The path of each create_node step, parallel to names_[cluster_size_..].
    std::vector<std::string> created_at_;
    std::uint32_t default_batch_ = 5;
    TimeUs default_think_us_ = sim::default_think_us;
    /// The scenario has key-value clients (its client steps need them).
    bool has_clients_ = false;
    /// Groups named by a partition step's "as", and every heal and group
    /// selector, to check at the end that each names a group (order in the
    /// file is free: a heal inside a one_of may precede the partition it
    /// undoes in the text).
    std::set<std::string> groups_;
    std::vector<std::pair<std::string, std::string>> group_uses_;
};

Scenario Parser::parse(const Json& root) {
    if (!root.is_object()) {
        fail_expected("$", "a scenario object {\"name\": ..., \"cluster\": ..., \"steps\": [...]}",
                      root);
    }
    check_fields(
        root, "$",
        {"$schema", "name", "description", "cluster", "raft", "network", "workload",
         "state_machine", "clients", "checks", "steps", "message_faults", "limits", "expect"});
    Scenario scenario;
    if (const Json* schema = find_field(root, "$schema")) {
        scenario.schema = get_string(*schema, member_path("$", "$schema"));
    }
    const Json& name = required_field(root, "$", "name");
    scenario.name = get_string(name, "name");
    check_name_text(scenario.name, "name", name);
    if (const Json* description = find_field(root, "description")) {
        scenario.description = get_string(*description, "description");
    }
    scenario.cluster = parse_cluster(required_field(root, "$", "cluster"));
    names_ = scenario.cluster.names;
    cluster_size_ = names_.size();
    scenario.raft = parse_raft(find_field(root, "raft"), scenario.cluster.tick_us);
    if (const Json* network = find_field(root, "network")) {
        scenario.network = parse_network(*network, "network");
    }
    scenario.workload = parse_workload(find_field(root, "workload"), scenario.name);
    default_batch_ = scenario.workload.batch;
    default_think_us_ = scenario.workload.think_us;
    parse_state_machine_and_clients(root, scenario);
    if (const Json* checks = find_field(root, "checks")) {
        scenario.checks = parse_checks(*checks);
    }
    const Json& steps = required_field(root, "$", "steps");
    std::size_t step_count = 0;
    count_steps(steps, "steps", 0, step_count);
    scenario.steps = parse_steps(steps, "steps", 0);
    if (const Json* faults = find_field(root, "message_faults")) {
        scenario.message_faults = parse_message_faults(*faults);
    }
    if (const Json* limits = find_field(root, "limits")) {
        scenario.limits = parse_limits(*limits);
    }
    if (const Json* expect = find_field(root, "expect")) {
        scenario.expect = parse_expect(*expect);
    }
    check_groups();
    return scenario;
}

void Parser::parse_state_machine_and_clients(const Json& root, Scenario& scenario) {
    const Json* state_machine = find_field(root, "state_machine");
    if (state_machine != nullptr) {
        scenario.state_machine = parse_state_machine(*state_machine);
    }
    const Json* clients = find_field(root, "clients");
    if (clients == nullptr) {
        return;
    }
    scenario.clients = parse_clients(*clients);
    has_clients_ = true;
    if (state_machine == nullptr) {
        scenario.state_machine = sim::StateMachineKind::kv;
    } else if (scenario.state_machine != sim::StateMachineKind::kv) {
        fail("state_machine",
             "expected \"kv\": the scenario's clients read and write the "
             "key-value store");
    }
}

/// `depth` counts the repeat and one_of levels above: the top-level steps
/// are at 0, and at most max_step_depth levels may nest below them.
std::vector<Step> Parser::parse_steps(const Json& value, const std::string& path, int depth) {
    if (depth > max_step_depth) {
        fail(path,
             fmt::format("steps nested more than {} levels deep (repeat, one_of)", max_step_depth));
    }
    if (!value.is_array()) {
        fail_expected(path, "an array of steps", value);
    }
    std::vector<Step> steps;
    steps.reserve(value.size());
    for (std::size_t i = 0; i < value.size(); ++i) {
        steps.push_back(parse_step(value[i], index_path(path, i), depth));
    }
    return steps;
}

Step Parser::parse_step(const Json& value, const std::string& path, int depth) {
    if (!value.is_object()) {
        fail_expected(path, "a step object like {\"sleep\": \"1s\"}", value);
    }
    const Action& action = find_action(value, path);
    Step step;
    step.kind = action.kind;
    step.json_path = path;
    const Json& argument = value.at(std::string(action.key));
    const std::string argument_path = member_path(path, action.key);
    if (!fill_flow(step, value, argument, argument_path, depth) &&
        !fill_membership(step, value, argument, argument_path)) {
        fill_fault(step, value, argument, argument_path);
    }
    return step;
}

bool Parser::fill_flow(Step& step, const Json& object, const Json& argument,
                       const std::string& path, int depth) {
    switch (step.kind) {
        case Kind::sleep:
        case Kind::calm:
            step.duration_us = get_duration(argument, path);
            return true;
        case Kind::wait_for_leader:
        case Kind::wait_until_up_to_date:
            step.duration_us = get_duration(argument, path);
            step.optional = optional_bool(object, step.json_path, "optional");
            return true;
        case Kind::apply:
            step.count = get_u32(argument, path, 1, max_apply);
            return true;
        case Kind::start_workload:
            check_fields(argument, path, {"batch", "think"});
            step.count = default_batch_;
            if (const Json* batch = find_field(argument, "batch")) {
                step.count = get_u32(*batch, member_path(path, "batch"), 1, max_batch);
            }
            step.duration_us = default_think_us_;
            if (const Json* think = find_field(argument, "think")) {
                step.duration_us = get_positive_duration(*think, member_path(path, "think"));
            }
            return true;
        case Kind::stop_workload:
            expect_empty_object(argument, path);
            return true;
        case Kind::start_clients:
        case Kind::stop_clients:
            expect_empty_object(argument, path);
            if (!has_clients_) {
                fail(path,
                     "expected a scenario with \"clients\" (this one has none to start "
                     "or stop)");
            }
            return true;
        case Kind::repeat:
            step.count = get_u32(argument, path, 1, max_repeat);
            // The nested list is reported under the action ("steps[1].repeat.
            // steps[0]") because it belongs to the repeat; see docs/scenarios.md.
            step.steps = parse_steps(required_field(object, step.json_path, "steps"),
                                     member_path(path, "steps"), depth + 1);
            return true;
        case Kind::one_of:
            step.branches = parse_branches(argument, path, depth);
            return true;
        default:
            return false;
    }
}

void Parser::fill_fault(Step& step, const Json& object, const Json& argument,
                        const std::string& path) {
    switch (step.kind) {
        case Kind::partition:
            step.nodes = parse_nodeset(argument, path);
            if (const Json* group = find_field(object, "as")) {
                step.group = get_nonempty_string(*group, member_path(step.json_path, "as"));
                groups_.insert(step.group);
            }
            return;
        case Kind::heal:
            step.group = get_nonempty_string(argument, path);
            group_uses_.emplace_back(path, step.group);
            return;
        case Kind::heal_all:
        case Kind::clear_slow_votes:
        case Kind::clear_slow_links:
            expect_empty_object(argument, path);
            return;
        case Kind::cut:
        case Kind::restore:
            check_fields(argument, path, {"from", "to"});
            fill_link_step(step, argument, path);
            return;
        case Kind::slow_votes:
            fill_slow_votes(step, argument, path);
            return;
        case Kind::slow_links:
            fill_slow_links(step, argument, path);
            return;
        case Kind::network:
            step.network = parse_network(argument, path);
            return;
        case Kind::crash:
            step.nodes = parse_nodeset(argument, path);
            step.lose_unsynced = optional_bool(object, step.json_path, "lose_unsynced");
            step.torn = optional_bool(object, step.json_path, "torn");
            if (step.torn && step.lose_unsynced) {
                // A torn crash keeps a prefix of the unsynced writes;
                // lose_unsynced keeps none of them.
                fail(member_path(step.json_path, "torn"),
                     "expected \"torn\" or \"lose_unsynced\", not both: a torn crash keeps a "
                     "prefix of the unsynced writes, lose_unsynced none of them");
            }
            step.crash_after = parse_crash_after(object, step.json_path);
            return;
        case Kind::restart:
            step.nodes = parse_nodeset(argument, path);
            return;
        case Kind::wipe:
            step.nodes = parse_nodeset(argument, path);
            // Optional: only a sanctioned wipe is run (Interpreter::run_node_fault).
            step.optional = optional_bool(object, step.json_path, "optional");
            return;
        case Kind::pause:
            step.nodes = parse_nodeset(argument, path);
            step.duration_us = get_positive_duration(required_field(object, step.json_path, "for"),
                                                     member_path(step.json_path, "for"));
            return;
        case Kind::clock_drift:
            check_fields(argument, path, {"nodes", "ppm"});
            step.nodes =
                parse_nodeset(required_field(argument, path, "nodes"), member_path(path, "nodes"));
            step.drift_ppm = static_cast<std::int32_t>(
                get_int(required_field(argument, path, "ppm"), member_path(path, "ppm"),
                        -max_drift_ppm, max_drift_ppm));
            return;
        default:
            fail(path, "internal error: a step kind without a parser");
    }
}

bool Parser::fill_membership(Step& step, const Json& object, const Json& argument,
                             const std::string& path) {
    switch (step.kind) {
        case Kind::add_voter:
        case Kind::add_nonvoter:
        case Kind::demote_voter:
        case Kind::remove_server:
            step.nodes = parse_nodeset(argument, path);
            fill_deadline(step, object, membership_within_us);
            return true;
        case Kind::create_node:
            fill_create_node(step, object, argument, path);
            fill_deadline(step, object, membership_within_us);
            return true;
        case Kind::transfer_leadership:
            fill_transfer(step, object, argument, path);
            return true;
        case Kind::snapshot:
            step.nodes = parse_nodeset(argument, path);
            return true;
        case Kind::membership_churn:
            check_fields(argument, path, {"changes", "interval"});
            step.count = get_u32(required_field(argument, path, "changes"),
                                 member_path(path, "changes"), 1, max_churn_changes);
            step.duration_us = get_duration(required_field(argument, path, "interval"),
                                            member_path(path, "interval"));
            step.optional = optional_bool(object, step.json_path, "optional");
            return true;
        default:
            return false;
    }
}

/// The new name must be unused in the whole file: by the cluster and by every
/// create_node before it (even in another one_of branch). It is known to
/// selectors from here on.
void Parser::fill_create_node(Step& step, const Json& object, const Json& argument,
                              const std::string& path) {
    step.name = get_string(argument, path);
    check_name_text(step.name, path, argument);
    if (is_reserved_name(step.name)) {
        fail(path, fmt::format("'{}' is a selector keyword and cannot name a node", step.name));
    }
    for (std::size_t i = 0; i < names_.size(); ++i) {
        if (names_[i] == step.name && i < cluster_size_) {
            fail(path, fmt::format("'{}' already names a node of the cluster", step.name));
        }
        if (names_[i] == step.name) {
            fail(path, fmt::format("duplicate node name '{}' (also created at {})", step.name,
                                   created_at_[i - cluster_size_]));
        }
    }
    if (names_.size() >= max_nodes) {
        fail(path, fmt::format("more than {} nodes: the cluster's and the created ones count",
                               max_nodes));
    }
    names_.push_back(step.name);
    created_at_.push_back(path);
    if (const Json* suffrage = find_field(object, "as")) {
        if (*suffrage != "voter" && *suffrage != "nonvoter" && *suffrage != "none") {
            fail_expected(member_path(step.json_path, "as"), "\"voter\", \"nonvoter\" or \"none\"",
                          *suffrage);
        }
        step.suffrage = suffrage->get<std::string>();
    }
}

/// "any" (no target) or one selector.
void Parser::fill_transfer(Step& step, const Json& object, const Json& argument,
                           const std::string& path) {
    if (argument == "any") {
        step.any_target = true;
    } else if (argument.is_string() || argument.is_object()) {
        step.to = parse_selector(argument, path);
    } else {
        fail_expected(path, "\"any\" or a node selector like \"b\" or {\"random\": 1}", argument);
    }
    fill_deadline(step, object, transfer_within_us);
}

/// `from` and `to` are each one selector (not a list): every link from a
/// `from` node to a `to` node is cut, restored or slowed, links to itself
/// skipped.
void Parser::fill_link_step(Step& step, const Json& argument, const std::string& path) {
    step.from = parse_selector(required_field(argument, path, "from"), member_path(path, "from"));
    step.to = parse_selector(required_field(argument, path, "to"), member_path(path, "to"));
    const bool single = step.from.kind == NodeSelector::Kind::name ||
                        step.from.kind == NodeSelector::Kind::leader ||
                        step.from.kind == NodeSelector::Kind::follower;
    if (single && step.from.kind == step.to.kind && step.from.name == step.to.name &&
        step.from.count_min == step.to.count_min) {
        fail(path, fmt::format("\"from\" and \"to\" are the same node: there is no link to {}",
                               step.kind == Kind::slow_links ? "slow down" : "cut"));
    }
}

/// A cut's `from` and `to`, a delay of at most a message fault's, and the
/// message types it slows (all when omitted).
void Parser::fill_slow_links(Step& step, const Json& argument, const std::string& path) {
    check_fields(argument, path, {"from", "to", "delay", "types"});
    fill_link_step(step, argument, path);
    const std::string delay_path = member_path(path, "delay");
    const Json& delay = required_field(argument, path, "delay");
    const auto [min, max] = get_duration_range(delay, delay_path);
    for (std::size_t i = 0; i < 2; ++i) {
        if ((i == 0 ? min : max) > max_fault_delay_us) {
            fail(index_path(delay_path, i),
                 fmt::format("expected a delay of at most 1h, got {}", describe(delay[i])));
        }
    }
    step.delay_min_us = min;
    step.delay_max_us = max;
    const Json* types = find_field(argument, "types");
    if (types == nullptr) {
        return;
    }
    const std::string types_path = member_path(path, "types");
    if (!types->is_array() || types->empty()) {
        fail_expected(types_path,
                      "a non-empty array of message types like [\"append_entries_response\"]",
                      *types);
    }
    for (std::size_t i = 0; i < types->size(); ++i) {
        const std::string at = index_path(types_path, i);
        const std::optional<core::MessageType> type = message_type_named((*types)[i]);
        if (!type.has_value()) {
            fail_expected(at, fmt::format("a message type: {}", message_type_list()), (*types)[i]);
        }
        if (std::find(step.message_types.begin(), step.message_types.end(), *type) !=
            step.message_types.end()) {
            fail(at, fmt::format("duplicate message type '{}'", core::to_string(*type)));
        }
        step.message_types.push_back(*type);
    }
    RAFT_ASSERT(step.message_types.size() <= core::message_type_count);
}

void Parser::fill_slow_votes(Step& step, const Json& argument, const std::string& path) {
    check_fields(argument, path, {"mode", "nodes", "delay"});
    const Json& mode = required_field(argument, path, "mode");
    if (mode == "send") {
        step.slow_mode = sim::SlowVoteMode::send;
    } else if (mode == "recv") {
        step.slow_mode = sim::SlowVoteMode::recv;
    } else {
        fail_expected(member_path(path, "mode"), "\"send\" or \"recv\"", mode);
    }
    step.nodes = parse_nodeset(required_field(argument, path, "nodes"), member_path(path, "nodes"));
    const auto [min, max] =
        get_duration_range(required_field(argument, path, "delay"), member_path(path, "delay"));
    step.delay_min_us = min;
    step.delay_max_us = max;
}

std::vector<Branch> Parser::parse_branches(const Json& value, const std::string& path, int depth) {
    if (!value.is_array() || value.empty() || value.size() > max_branches) {
        fail_expected(path,
                      fmt::format("an array of 1 to {} branches like [{{\"weight\": 1, \"steps\": "
                                  "[]}}]",
                                  max_branches),
                      value);
    }
    std::vector<Branch> branches;
    std::uint64_t total_weight = 0;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string branch_path = index_path(path, i);
        check_fields(value[i], branch_path, {"weight", "steps"});
        Branch branch;
        if (const Json* weight = find_field(value[i], "weight")) {
            branch.weight = get_u32(*weight, member_path(branch_path, "weight"), 1);
        }
        // The interpreter draws in [0, total) with 32-bit weights.
        total_weight += branch.weight;
        if (total_weight > u32_max) {
            fail(path, fmt::format("the branch weights add up to more than {}", u32_max));
        }
        branch.steps = parse_steps(required_field(value[i], branch_path, "steps"),
                                   member_path(branch_path, "steps"), depth + 1);
        branches.push_back(std::move(branch));
    }
    return branches;
}

void Parser::check_groups() const {
    for (const auto& [path, group] : group_uses_) {
        if (groups_.count(group) != 0) {
            continue;
        }
        if (groups_.empty()) {
            fail(path, fmt::format("unknown partition group '{}'; no partition step names a "
                                   "group with \"as\"",
                                   clip(group)));
        }
        fail(path, fmt::format("unknown partition group '{}'; the groups named by \"as\" are: {}",
                               clip(group), clipped_list(groups_)));
    }
}

// ---------------------------------------------------------------- selectors

std::vector<NodeSelector> Parser::parse_nodeset(const Json& value, const std::string& path) {
    if (!value.is_array()) {
        return {parse_selector(value, path)};
    }
    if (value.empty() || value.size() > max_nodes) {
        fail_expected(path, "a node selector or an array of 1 to 64 node selectors", value);
    }
    std::vector<NodeSelector> nodes;
    for (std::size_t i = 0; i < value.size(); ++i) {
        nodes.push_back(parse_selector(value[i], index_path(path, i)));
    }
    return nodes;
}

NodeSelector Parser::parse_selector(const Json& value, const std::string& path) {
    if (value.is_string()) {
        return named_selector(value, path);
    }
    if (!value.is_object() || value.size() != 1) {
        fail_expected(path,
                      "a node selector (\"leader\", \"followers\", \"all\", a node name, "
                      "{\"leader_plus\": N}, {\"random\": K}, {\"follower\": N} or "
                      "{\"group\": NAME})",
                      value);
    }
    check_fields(value, path, {"leader_plus", "random", "follower", "group"});
    const std::string& key = value.begin().key();
    const Json& argument = value.begin().value();
    const std::string argument_path = member_path(path, key);
    NodeSelector selector;
    if (key == "follower") {
        // The N-th non-leader member, from 1; at most every node named so far.
        selector.kind = NodeSelector::Kind::follower;
        selector.count_min = get_u32(argument, argument_path, 1, names_.size());
        selector.count_max = selector.count_min;
    } else if (key == "group") {
        selector.kind = NodeSelector::Kind::group;
        selector.name = get_nonempty_string(argument, argument_path);
        group_uses_.emplace_back(argument_path, selector.name);
    } else {
        selector = counted_selector(
            key == "random" ? NodeSelector::Kind::random : NodeSelector::Kind::leader_plus,
            argument, argument_path);
    }
    return selector;
}

NodeSelector Parser::named_selector(const Json& value, const std::string& path) const {
    const std::string& name = value.get_ref<const std::string&>();
    NodeSelector selector;
    if (name == "leader") {
        selector.kind = NodeSelector::Kind::leader;
    } else if (name == "followers") {
        selector.kind = NodeSelector::Kind::followers;
    } else if (name == "all") {
        selector.kind = NodeSelector::Kind::all;
    } else {
        bool known = false;
        for (const std::string& node : names_) {
            known = known || node == name;
        }
        if (!known) {
            fail(path, unknown_node_message(name));
        }
        selector.kind = NodeSelector::Kind::name;
        selector.name = name;
    }
    return selector;
}

std::string Parser::unknown_node_message(const std::string& name) const {
    const std::span<const std::string> all(names_);
    std::string message = fmt::format("unknown node '{}'; the cluster's nodes are: {}", clip(name),
                                      join(all.first(cluster_size_)));
    if (names_.size() > cluster_size_) {
        message += fmt::format("; created by earlier create_node steps: {}",
                               join(all.subspan(cluster_size_)));
    }
    return message;
}

NodeSelector Parser::counted_selector(NodeSelector::Kind kind, const Json& value,
                                      const std::string& path) const {
    NodeSelector selector;
    selector.kind = kind;
    const auto cluster_size = static_cast<std::uint32_t>(names_.size());
    if (value.is_number()) {
        selector.count_min = get_u32(value, path, 0, cluster_size);
        selector.count_max = selector.count_min;
    } else if (kind == NodeSelector::Kind::random && value.is_array()) {
        parse_count_range(value, path, selector);
    } else if (kind == NodeSelector::Kind::leader_plus && value.is_object()) {
        check_fields(value, path, {"random"});
        parse_count_range(required_field(value, path, "random"), member_path(path, "random"),
                          selector);
    } else {
        fail_expected(path,
                      kind == NodeSelector::Kind::random ? "a count K or a range [A, B]"
                                                         : "a count N or {\"random\": [A, B]}",
                      value);
    }
    return selector;
}

void Parser::parse_count_range(const Json& value, const std::string& path,
                               NodeSelector& selector) const {
    if (!value.is_array() || value.size() != 2) {
        fail_expected(path, "a range [A, B] of node counts", value);
    }
    const auto cluster_size = static_cast<std::uint32_t>(names_.size());
    selector.count_min = get_u32(value[0], index_path(path, 0), 0, cluster_size);
    selector.count_max = get_u32(value[1], index_path(path, 1), 0, cluster_size);
    if (selector.count_min > selector.count_max) {
        fail(path, fmt::format("the range [{}, {}] has its minimum above its maximum",
                               selector.count_min, selector.count_max));
    }
}

// ---------------------------------------------------------------- JSON text

/// nlohmann keeps the last of two equal keys without a word, which would let
/// {"sleep": "1s", "sleep": "1h"} or a second "steps" slip through. This SAX
/// handler tracks where the parser is and rejects a repeated key. It runs as
/// a pass of its own, building nothing: nlohmann's callback parser, which
/// could do this while building the document, rescans a container's values
/// each time one of its objects ends, so a file of n steps took O(n^2).
class DuplicateKeyCheck {
  public:
    bool null() { return finish_value(); }
    bool boolean(bool /*value*/) { return finish_value(); }
    bool number_integer(Json::number_integer_t /*value*/) { return finish_value(); }
    bool number_unsigned(Json::number_unsigned_t /*value*/) { return finish_value(); }
    bool number_float(Json::number_float_t /*value*/, const std::string& /*text*/) {
        return finish_value();
    }
    bool string(std::string& /*value*/) { return finish_value(); }
    bool binary(Json::binary_t& /*value*/) { return finish_value(); }
    bool start_object(std::size_t /*elements*/) {
        frames_.push_back(Frame{.is_object = true});
        return true;
    }
    bool start_array(std::size_t /*elements*/) {
        frames_.push_back(Frame{.is_object = false});
        return true;
    }
    bool key(std::string& key) {
        RAFT_ASSERT(!frames_.empty());
        RAFT_ASSERT(frames_.back().is_object);
        Frame& frame = frames_.back();
        if (!frame.keys.insert(key).second) {
            fail(member_path(path(), key), fmt::format("duplicate field '{}'", clip(key)));
        }
        frame.key = key;
        return true;
    }
    bool end_object() { return end_container(); }
    bool end_array() { return end_container(); }
    /// Malformed text ends this pass quietly; the parse that builds the
    /// document meets the same error and reports it.
    bool parse_error(std::size_t /*position*/, const std::string& /*token*/,
                     const nlohmann::detail::exception& /*error*/) {
        return false;
    }

  private:
    struct Frame {
        bool is_object = false;
        std::set<std::string> keys{};
        std::string key{};
        std::size_t index = 0;
    };

    bool end_container() {
        RAFT_ASSERT(!frames_.empty());
        frames_.pop_back();
        return finish_value();
    }

    /// A value of the innermost container is complete: arrays count elements.
    bool finish_value() {
        if (!frames_.empty() && !frames_.back().is_object) {
            frames_.back().index += 1;
        }
        return true;
    }

    /// The path of the innermost open container.
    [[nodiscard]] std::string path() const {
        std::string out = "$";
        for (std::size_t i = 0; i + 1 < frames_.size(); ++i) {
            out = frames_[i].is_object ? member_path(out, frames_[i].key)
                                       : index_path(out, frames_[i].index);
        }
        return out;
    }

    std::vector<Frame> frames_;
};

/// nlohmann's exception text without its "[json.exception.NAME.N] " tag.
std::string_view exception_text(const Json::exception& error) {
    std::string_view what = error.what();
    if (const std::size_t end = what.find("] "); end != std::string_view::npos) {
        what.remove_prefix(end + 2);
    }
    return what;
}

/// `text` with bytes outside printable ASCII escaped (the input nlohmann
/// quotes may not be UTF-8).
std::string printable(std::string_view text) {
    std::string out;
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        out += byte >= 0x20 && byte < 0x7f ? std::string(1, c) : fmt::format("\\x{:02x}", byte);
    }
    return out;
}

Json parse_json(std::string_view text) {
    DuplicateKeyCheck check;
    try {
        // First the keys (a duplicate is reported before any later syntax
        // error, as one pass would), then the document.
        static_cast<void>(Json::sax_parse(text.begin(), text.end(), &check));
        return Json::parse(text.begin(), text.end());
    } catch (const Json::out_of_range& error) {
        // A number beyond a double's range ("1e400") is nlohmann's
        // out_of_range.406, not a parse_error, but it is malformed input all
        // the same. The token it quotes can be thousands of digits long.
        constexpr std::size_t max_chars = 120;
        const std::string_view what = exception_text(error);
        fail("$", fmt::format("malformed JSON: {}{}", printable(what.substr(0, max_chars)),
                              what.size() > max_chars ? "..." : ""));
    }
}

/// nlohmann's "[json.exception.parse_error.101] parse error at line 1,
/// column 9: ..." as "malformed JSON at line 1, column 9: ...", with bytes
/// outside printable ASCII escaped (the text it quotes may not be UTF-8).
std::string malformed_message(const Json::parse_error& error) {
    std::string_view what = exception_text(error);
    constexpr std::string_view prefix = "parse error";
    std::string out = "malformed JSON";
    if (what.substr(0, prefix.size()) == prefix) {
        what.remove_prefix(prefix.size());
    } else {
        out += fmt::format(" at byte {}: ", error.byte);
    }
    return out + printable(what);
}

std::string too_large_message() {
    return fmt::format("the scenario is larger than {} bytes (16 MiB)", max_scenario_file_bytes);
}

/// Reads at most max_scenario_file_bytes (+1 to notice a larger file).
bool read_text(const std::string& file, std::string& text, std::string& problem) {
    // Opening a FIFO would wait for a writer, a device may never end.
    std::error_code code;
    const std::filesystem::file_status status = std::filesystem::status(file, code);
    if (std::filesystem::is_directory(status)) {
        problem = "cannot read the scenario: it is a directory";
        return false;
    }
    if (!code && !std::filesystem::is_regular_file(status)) {
        problem = "cannot read the scenario: it is not a regular file";
        return false;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        problem = fmt::format("cannot open the scenario: {}", std::strerror(errno));
        return false;
    }
    text.resize(max_scenario_file_bytes + 1);
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad()) {
        problem = fmt::format("cannot read the scenario: {}", std::strerror(errno));
        return false;
    }
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_scenario_file_bytes) {
        problem = too_large_message();
        return false;
    }
    return true;
}

}  // namespace

std::string ScenarioError::to_string() const {
    return fmt::format("{}: {}: {}", file, path, message);
}

ParseResult parse_scenario(std::string_view text, const std::string& file) {
    ParseResult result;
    if (text.size() > max_scenario_file_bytes) {
        result.error = ScenarioError{.file = file, .path = "$", .message = too_large_message()};
        return result;
    }
    try {
        const Json root = parse_json(text);
        Parser parser;
        result.scenario = parser.parse(root);
        result.scenario->source_path = file;
    } catch (const Failure& failure) {
        result.error =
            ScenarioError{.file = file, .path = failure.path, .message = failure.message};
    } catch (const Json::parse_error& error) {
        result.error =
            ScenarioError{.file = file, .path = "$", .message = malformed_message(error)};
    } catch (const std::exception& error) {
        result.error = ScenarioError{
            .file = file, .path = "$", .message = fmt::format("internal error: {}", error.what())};
    }
    if (result.error) {
        result.scenario.reset();
    }
    return result;
}

ParseResult load_scenario(const std::string& file) {
    std::string text;
    std::string problem;
    try {
        if (!read_text(file, text, problem)) {
            return ParseResult{
                .scenario = std::nullopt,
                .error = ScenarioError{.file = file, .path = "$", .message = problem}};
        }
    } catch (const std::exception& error) {
        return ParseResult{
            .scenario = std::nullopt,
            .error = ScenarioError{.file = file, .path = "$", .message = error.what()}};
    }
    return parse_scenario(text, file);
}

}  // namespace raftsim::scenarios
