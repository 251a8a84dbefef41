// Placeholder: the interpreter is being written.
#include "raftsim/scenarios/spec.hpp"
