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
# libcmark-gfm.pc links its extensions library too (tables, strikethrough,
# autolinks); plain libcmark must not be linked beside it (same symbols).
pkg_check_modules(CMARK_GFM REQUIRED IMPORTED_TARGET libcmark-gfm>=0.29)
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip>=1.7)
# Certificates: the PDF (cairo, pango for Korean shaping), its QR code, and
# the streamed ZIP of a section's certificates.
pkg_check_modules(PANGOCAIRO REQUIRED IMPORTED_TARGET pangocairo>=1.50 cairo-pdf>=1.16)
pkg_check_modules(QRENCODE REQUIRED IMPORTED_TARGET libqrencode>=4.1)
pkg_check_modules(LIBARCHIVE REQUIRED IMPORTED_TARGET libarchive>=3.6)
pkg_check_modules(GMIME REQUIRED IMPORTED_TARGET gmime-3.0>=3.2)
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl>=7.74)
# libcsv (Debian's libcsv-dev) ships no pkg-config file: a streaming CSV
# parser for uploaded learner lists and selection decision files.
find_path(LIBCSV_INCLUDE_DIR csv.h REQUIRED)
find_library(LIBCSV_LIBRARY csv REQUIRED)
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

# The mail templates are compiled in: an installed server needs no source
# tree to find them, and a template missing is a build error, not a
# message that fails at delivery.
file(GLOB LMS_MAIL_TEMPLATES CONFIGURE_DEPENDS ${LMS_ROOT}/app/mail/templates/*.txt)
add_custom_command(
  OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/mail_templates.c
  COMMAND ${CMAKE_COMMAND} -DOUT=${CMAKE_CURRENT_BINARY_DIR}/mail_templates.c
          -DDIR=${LMS_ROOT}/app/mail/templates -P ${LMS_ROOT}/app/mail/embed_templates.cmake
  DEPENDS ${LMS_MAIL_TEMPLATES} ${LMS_ROOT}/app/mail/embed_templates.cmake
  COMMENT "Embedding the mail templates")
list(APPEND LMS_CORE_SOURCES ${CMAKE_CURRENT_BINARY_DIR}/mail_templates.c)

set(LMS_CORE_LIBS
  civetweb::civetweb PkgConfig::LIBPQ PkgConfig::JANSSON PkgConfig::CMARK_GFM
  PkgConfig::LIBZIP PkgConfig::PANGOCAIRO PkgConfig::QRENCODE PkgConfig::LIBARCHIVE
  PkgConfig::GMIME PkgConfig::CURL ${LIBCSV_LIBRARY} PkgConfig::ZLIB PkgConfig::BROTLIENC
  OpenSSL::SSL OpenSSL::Crypto Threads::Threads m)

set(LMS_WARNINGS
  -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wstrict-prototypes
  -Wmissing-prototypes -Wvla -Wno-unused-parameter
  $<$<BOOL:${LMS_WERROR}>:-Werror>)
