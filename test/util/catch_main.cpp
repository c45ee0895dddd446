// SPDX-License-Identifier: Apache-2.0
// Catch2 2.x entry point shared by every unit-test executable.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
