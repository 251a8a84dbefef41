// Tests for gate: see the test cases below.
#include "helpers.hpp"
