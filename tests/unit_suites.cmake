include(doctest)
# Every doctest case becomes a ctest test named "unit.<case>". A test passes only when
# its run reports exactly one case, passed: a name that does not select its case (CMake
# splits names at ';', so case names must not hold one) fails instead of passing empty.
doctest_discover_tests(unit_tests TEST_PREFIX "unit." ADD_LABELS 0
  PROPERTIES LABELS unit PASS_REGULAR_EXPRESSION "test cases: +1 [|] +1 passed [|] +0 failed")
