// Elections: Raft paper §5.1, §5.2, §5.4.1, Figure 2 (RequestVote), thesis
// §9.6 (pre-vote), and hashicorp's leader stickiness.
#include "helpers.hpp"

namespace raftsim::test {
namespace {

using core::RejectReason;
using core::Role;

TEST_CASE("candidate: votes for itself and asks every other voter in a new term (§5.2)",
          "[election]") {
    core::Node node = make_node(1, 3);
    node.campaign();
    const core::Ready ready = drain(node);
    CHECK(node.role() == Role::candidate);
    CHECK(node.term() == 2);
    CHECK(node.voted_for() == 1);
    // Persist before send: the Ready that carries the requests carries the vote.
    REQUIRE(ready.hard_state.has_value());
    CHECK(ready.hard_state->term == 2);
    CHECK(ready.hard_state->voted_for == 1);
    const std::vector<Message> requests = of_type(ready, MessageType::request_vote);
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].to == 2);
    CHECK(requests[1].to == 3);
    for (const Message& request : requests) {
        CHECK(request.term == 2);
        CHECK(request.candidate_last_log_index == 1);
        CHECK(request.candidate_last_log_term == 1);
    }
}

}  // namespace
}  // namespace raftsim::test
