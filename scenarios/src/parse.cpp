// Placeholder: the parser is being written.
#include "raftsim/scenarios/parse.hpp"
