// Tests for lease: see the test cases below.
#include "helpers.hpp"
