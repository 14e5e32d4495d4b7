# lms_core.cmake - what lms_core is built from: its sources, the Debian
# packages it links and the warnings it is compiled with. Included by the
# main build and by tests/fuzz, which compiles the same sources with clang.
# The development tools are not part of it: the embedded cluster
# (LMS_EMBEDDED_SOURCES) and the demo and benchmark data (LMS_SEED_SOURCES)
# are libraries of their own, linked only into lms and the tests that use
# them.
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(civetweb CONFIG REQUIRED)
find_package(OpenSSL 3 REQUIRED)
pkg_check_modules(JANSSON REQUIRED IMPORTED_TARGET jansson>=2.14)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq>=15)
pkg_check_modules(CMARK REQUIRED IMPORTED_TARGET libcmark>=0.29)
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip>=1.7)
pkg_check_modules(ZLIB REQUIRED IMPORTED_TARGET zlib>=1.2)
pkg_check_modules(BROTLIENC REQUIRED IMPORTED_TARGET libbrotlienc>=1.0)
string(REGEX MATCH "^[0-9]+" LMS_PG_MAJOR "${LIBPQ_VERSION}")

get_filename_component(LMS_ROOT ${CMAKE_CURRENT_LIST_DIR}/.. ABSOLUTE)
file(GLOB_RECURSE LMS_CORE_SOURCES CONFIGURE_DEPENDS ${LMS_ROOT}/app/*.c)
set(LMS_EMBEDDED_SOURCES ${LMS_ROOT}/app/db/embedded.c)
file(GLOB LMS_SEED_SOURCES CONFIGURE_DEPENDS ${LMS_ROOT}/app/seed/*.c)
list(REMOVE_ITEM LMS_CORE_SOURCES
  ${LMS_ROOT}/app/main.c
  ${LMS_ROOT}/app/compat/ssl_compat.c
  ${LMS_EMBEDDED_SOURCES} ${LMS_SEED_SOURCES})

set(LMS_CORE_LIBS
  civetweb::civetweb PkgConfig::LIBPQ PkgConfig::JANSSON PkgConfig::CMARK
  PkgConfig::LIBZIP PkgConfig::ZLIB PkgConfig::BROTLIENC
  OpenSSL::SSL OpenSSL::Crypto Threads::Threads m)

set(LMS_WARNINGS
  -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wstrict-prototypes
  -Wmissing-prototypes -Wvla -Wno-unused-parameter
  $<$<BOOL:${LMS_WERROR}>:-Werror>)
