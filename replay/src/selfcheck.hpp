#pragma once
// `raftsim selfcheck`: drives 5-node clusters through leader isolation and
// message loss with the deterministic pump and checks, per seed, that there
// is one leader per term, committed prefixes agree, and every committed
// proposal is applied at its index everywhere.

#include <cstdint>
#include <string>

namespace raftsim::replay {

struct SelfcheckResult {
    bool passed = true;
    std::string failure;
    std::uint64_t messages_delivered = 0;
    std::uint64_t entries_committed = 0;
    std::uint64_t leader_changes = 0;
};

[[nodiscard]] SelfcheckResult run_selfcheck(std::uint64_t seed);

}  // namespace raftsim::replay
