// Tests for quorum: see the test cases below.
#include "helpers.hpp"
