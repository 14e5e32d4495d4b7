# run.cmake - runs one fuzz target for a bounded time as a test: from its
# seeds (with the dictionary beside them, if any) and what earlier runs
# found, keeping new inputs and crashes in the build tree. Fails when the
# target crashes, leaks, hangs or breaks an invariant.
#   cmake -DFUZZER=<program> -DSEEDS=<dir> -DOUT=<dir> -DSECONDS=<n> -P run.cmake
# The environment variable LMS_FUZZ_SECONDS, when set, overrides SECONDS.
if(DEFINED ENV{LMS_FUZZ_SECONDS})
  set(SECONDS $ENV{LMS_FUZZ_SECONDS})
endif()
math(EXPR limit "${SECONDS} + 120")
file(MAKE_DIRECTORY ${OUT}/corpus)
set(dict)
if(EXISTS ${SEEDS}/../dict)
  set(dict -dict=${SEEDS}/../dict)
endif()
# At the lowest priority: timed tests running beside it come first.
execute_process(
  COMMAND nice -n 19 ${FUZZER}
    -max_total_time=${SECONDS} -timeout=10 -rss_limit_mb=1024
    -print_final_stats=1 -artifact_prefix=${OUT}/ ${dict}
    ${OUT}/corpus ${SEEDS}
  TIMEOUT ${limit}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${FUZZER} failed (${rc}); the input is in ${OUT}/")
endif()
