// Tests for config: see the test cases below.
#include "helpers.hpp"
