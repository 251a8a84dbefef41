// Tests for replication: see the test cases below.
#include "helpers.hpp"
