include(doctest)
# Every doctest case becomes a ctest test named "unit.<case>".
doctest_discover_tests(unit_tests TEST_PREFIX "unit." ADD_LABELS 0 PROPERTIES LABELS unit)
