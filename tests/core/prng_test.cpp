// Tests for prng: see the test cases below.
#include "helpers.hpp"
