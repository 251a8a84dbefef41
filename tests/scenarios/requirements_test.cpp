// What a scenario asks of the system under test (scenarios/requirements.hpp):
// each step kind and Raft setting against a system that lacks the
// capability it needs (a skip, with a reason naming the JSON path and the
// capability) and one that has it (no gap); and a skipped run runs nothing.
#include "raftsim/scenarios/requirements.hpp"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "../sut/forwarding.hpp"
#include "raftsim/scenarios/interpret.hpp"
#include "raftsim/scenarios/parse.hpp"
#include "raftsim/sut/raftsim/raftsim_system.hpp"

namespace raftsim::test {
namespace {

using scenarios::Scenario;

/// raftsim's own core under another name, declaring the capabilities a
/// test gives it (and, if set, refusing every Raft configuration).
class LimitedSystem final : public sut::test::ForwardingSystem {
  public:
    explicit LimitedSystem(sut::Capabilities capabilities,
                           std::optional<std::string> refusal = std::nullopt)
        : capabilities_(capabilities), refusal_(std::move(refusal)) {}

    [[nodiscard]] std::string_view name() const override { return "limited"; }
    [[nodiscard]] std::string_view description() const override {
        return "raftsim's core, declaring fewer capabilities (tests)";
    }
    [[nodiscard]] const sut::Capabilities& capabilities() const override { return capabilities_; }
    [[nodiscard]] std::optional<std::string> unsupported(const core::Config&) const override {
        return refusal_;
    }

  private:
    sut::Capabilities capabilities_;
    std::optional<std::string> refusal_;
};

/// Every capability but `missing`.
sut::Capabilities without(bool sut::Capabilities::*missing) {
    sut::Capabilities capabilities;
    capabilities.*missing = false;
    return capabilities;
}

/// No capability at all.
sut::Capabilities none() {
    sut::Capabilities capabilities;
    for (const sut::CapabilityInfo& info : sut::capability_info()) {
        capabilities.*info.field = false;
    }
    return capabilities;
}

Scenario parsed(std::string_view raft, std::string_view steps) {
    const std::string text = fmt::format(
        R"({{"name": "needs", "cluster": {{"voters": 3}}, "raft": {{{}}},
            "steps": [{{"wait_for_leader": "10s"}}, {}]}})",
        raft, steps);
    const scenarios::ParseResult result = scenarios::parse_scenario(text, "needs.json");
    INFO((result.error ? result.error->to_string() : std::string("no error")));
    CAPTURE(text);
    REQUIRE_FALSE(result.error);
    return *result.scenario;
}

struct NeedCase {
    std::string_view raft;
    std::string_view step;
    bool sut::Capabilities::*capability;
    /// The reason, when the capability is missing.
    std::string_view reason;
};

TEST_CASE("requirements: a step or setting needing a missing capability is a gap naming both",
          "[requirements]") {
    const NeedCase need = GENERATE(
        NeedCase{"", R"({"add_nonvoter": "followers"})", &sut::Capabilities::nonvoters,
                 "steps[1]: add_nonvoter needs non-voting servers, which limited does not "
                 "support (capability nonvoters)"},
        NeedCase{"", R"({"demote_voter": "leader"})", &sut::Capabilities::nonvoters,
                 "steps[1]: demote_voter needs non-voting servers (a demoted voter stays on as "
                 "a non-voter), which limited does not support (capability nonvoters)"},
        NeedCase{"", R"({"create_node": "x", "as": "nonvoter"})", &sut::Capabilities::nonvoters,
                 "steps[1]: create_node needs non-voting servers (it joins \"as\": "
                 "\"nonvoter\"), which limited does not support (capability nonvoters)"},
        NeedCase{"", R"({"membership_churn": {"changes": 2, "interval": "1s"}})",
                 &sut::Capabilities::nonvoters,
                 "steps[1]: membership_churn needs non-voting servers (its rounds add "
                 "non-voters and demote voters), which limited does not support (capability "
                 "nonvoters)"},
        NeedCase{"", R"({"transfer_leadership": "any"})", &sut::Capabilities::leadership_transfer,
                 "steps[1]: transfer_leadership needs leadership transfer, which limited does "
                 "not support (capability leadership_transfer)"},
        NeedCase{"", R"({"snapshot": "leader"})", &sut::Capabilities::snapshot_on_demand,
                 "steps[1]: snapshot needs snapshots on demand, which limited does not "
                 "support (capability snapshot_on_demand)"},
        NeedCase{R"("pre_vote": true)", R"({"sleep": "1s"})", &sut::Capabilities::pre_vote,
                 "raft.pre_vote: true needs pre-vote, which limited does not support "
                 "(capability pre_vote)"},
        NeedCase{R"("vote_rule": "thesis")", R"({"sleep": "1s"})", &sut::Capabilities::vote_rules,
                 "raft.vote_rule: \"thesis\" needs the thesis vote rule, which limited does "
                 "not support (capability vote_rules)"},
        NeedCase{"", R"({"repeat": 2, "steps": [{"sleep": "1s"}, {"snapshot": "all"}]})",
                 &sut::Capabilities::snapshot_on_demand,
                 "steps[1].repeat.steps[1]: snapshot needs snapshots on demand, which limited "
                 "does not support (capability snapshot_on_demand)"},
        NeedCase{"",
                 R"({"one_of": [{"steps": [{"sleep": "1s"}]},
                                {"steps": [{"transfer_leadership": "any"}]}]})",
                 &sut::Capabilities::leadership_transfer,
                 "steps[1].one_of[1].steps[0]: transfer_leadership needs leadership transfer, "
                 "which limited does not support (capability leadership_transfer)"});
    const Scenario scenario = parsed(need.raft, need.step);
    CAPTURE(need.step, need.raft);
    const LimitedSystem lacking(without(need.capability));
    CHECK(scenarios::requirement_gap(scenario, lacking) == std::string(need.reason));
    CHECK(scenarios::skip_reason(scenario, lacking) == std::string(need.reason));
    const LimitedSystem having(sut::Capabilities{});
    CHECK(scenarios::requirement_gap(scenario, having) == std::nullopt);
    CHECK(scenarios::requirement_gap(scenario, sut::native::system()) == std::nullopt);
}

TEST_CASE("requirements: steps that need no capability run on a system that has none",
          "[requirements]") {
    // add_voter asks for a voter however the system makes one (no staging
    // needed); check-quorum off is a setting a system may tighten.
    const std::string_view step =
        GENERATE(R"({"add_voter": "followers"})", R"({"remove_server": "leader"})",
                 R"({"create_node": "x", "as": "voter"})", R"({"create_node": "x", "as": "none"})",
                 R"({"partition": "leader"})", R"({"crash": "followers"})", R"({"apply": 5})",
                 R"({"calm": "5s"})");
    CAPTURE(step);
    const LimitedSystem bare(none());
    CHECK(scenarios::requirement_gap(parsed(R"("check_quorum": false)", step), bare) ==
          std::nullopt);
}

TEST_CASE("requirements: a system's refusal of the Raft settings is a skip reason",
          "[requirements]") {
    const Scenario scenario = parsed("", R"({"sleep": "1s"})");
    const LimitedSystem refusing(sut::Capabilities{}, "max_inflight_appends above 1");
    CHECK(scenarios::requirement_gap(scenario, refusing) == std::nullopt);
    CHECK(scenarios::skip_reason(scenario, refusing) ==
          "raft: limited cannot run these settings: max_inflight_appends above 1");
    // A step's gap is reported before the settings' refusal.
    const LimitedSystem both(without(&sut::Capabilities::snapshot_on_demand), "no");
    CHECK(scenarios::skip_reason(parsed("", R"({"snapshot": "leader"})"), both)
              ->starts_with("steps[1]: snapshot"));
}

TEST_CASE("requirements: a skipped run runs nothing and does not pass", "[requirements]") {
    const Scenario scenario = parsed("", R"({"transfer_leadership": "any"})");
    const LimitedSystem lacking(without(&sut::Capabilities::leadership_transfer));
    const scenarios::RunResult skipped =
        scenarios::run_scenario(scenario, {.seed = 3, .system = &lacking});
    CHECK(skipped.skipped);
    CHECK_FALSE(skipped.passed);
    CHECK_FALSE(skipped.violation.has_value());
    CHECK(skipped.skip_reason.starts_with("steps[1]: transfer_leadership"));
    CHECK(skipped.fingerprint == 0);
    CHECK(skipped.events == 0);
    CHECK(skipped.simulation == nullptr);
    CHECK(skipped.system == &lacking);
    // With the capability the same system runs it, as raftsim's core does.
    const LimitedSystem having(sut::Capabilities{});
    const scenarios::RunResult ran =
        scenarios::run_scenario(scenario, {.seed = 3, .system = &having});
    const scenarios::RunResult native = scenarios::run_scenario(scenario, {.seed = 3});
    CHECK_FALSE(ran.skipped);
    CHECK(ran.passed);
    CHECK(ran.fingerprint == native.fingerprint);
    CHECK(native.system == &sut::native::system());
}

}  // namespace
}  // namespace raftsim::test
