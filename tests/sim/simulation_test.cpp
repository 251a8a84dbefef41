// Tests: see the test cases below.
#include <catch2/catch.hpp>
