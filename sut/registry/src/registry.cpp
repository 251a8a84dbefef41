#include "raftsim/sut/registry.hpp"

#include <string>

#include "raftsim/sut/raftsim/raftsim_system.hpp"
#if RAFTSIM_HAVE_CANONICAL
#include "raftsim/sut/canonical/canonical_system.hpp"
#endif

namespace raftsim::sut {

std::vector<const System*> systems() {
    std::vector<const System*> result{&native::system()};
#if RAFTSIM_HAVE_CANONICAL
    result.push_back(&canonical::system());
#endif
    return result;
}

const System* find_system(std::string_view name) {
    for (const System* system : systems()) {
        if (system->name() == name) {
            return system;
        }
    }
    return nullptr;
}

const System& system_or_default(const System* chosen) {
    return chosen != nullptr ? *chosen : native::system();
}

std::string system_names() {
    std::string names;
    for (const System* system : systems()) {
        names += names.empty() ? "" : ", ";
        names += system->name();
    }
    return names;
}

}  // namespace raftsim::sut
