// Tests for log: see the test cases below.
#include "helpers.hpp"
