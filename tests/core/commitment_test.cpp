// Tests for commitment: see the test cases below.
#include "helpers.hpp"
