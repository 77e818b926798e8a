# SPDX-License-Identifier: Apache-2.0
# cmake/web.cmake — the web app's assets (web/) built into `remnant serve`.
# Included from CMakeLists.txt when the server is built. Every file under
# web/ that the app serves (HTML, assets/, i18n/) and every file named in
# web/vendor.txt (taken from web/node_modules, installed by
# `npm ci --prefix web`) is listed in a manifest at configure time; at build
# time cmake/embed_web.cmake writes web_assets.c, which holds each file
# (and its gzip form where that pays) through the assembler's .incbin, with
# its served path and ETag. src/server/static.c serves them.
set(RN_WEB_DIR ${PROJECT_SOURCE_DIR}/web)
file(GLOB_RECURSE RN_WEB_FILES CONFIGURE_DEPENDS
     ${RN_WEB_DIR}/*.html ${RN_WEB_DIR}/assets/* ${RN_WEB_DIR}/i18n/*.json)
list(FILTER RN_WEB_FILES EXCLUDE REGEX "/node_modules/")
list(SORT RN_WEB_FILES)
set(manifest "")
set(deps ${RN_WEB_DIR}/vendor.txt)
foreach(f ${RN_WEB_FILES})
  file(RELATIVE_PATH rel ${RN_WEB_DIR} ${f})
  if(rel STREQUAL "index.html")
    set(served "/")
  elseif(rel STREQUAL "app.html")
    set(served "/app/")
  else()
    set(served "/${rel}")
  endif()
  string(APPEND manifest "${served} ${rel}\n")
  list(APPEND deps ${f})
endforeach()
file(STRINGS ${RN_WEB_DIR}/vendor.txt vendor REGEX "^/")
set(RN_WEB_MISSING "")
foreach(line ${vendor})
  string(REGEX REPLACE " .*" "" served "${line}")
  string(REGEX REPLACE "^[^ ]+ " "" rel "${line}")
  if(EXISTS ${RN_WEB_DIR}/${rel})
    string(APPEND manifest "${served} ${rel}\n")
    list(APPEND deps ${RN_WEB_DIR}/${rel})
  else()
    list(APPEND RN_WEB_MISSING ${rel})
  endif()
endforeach()
if(RN_WEB_MISSING)
  message(WARNING "web: ${RN_WEB_MISSING} missing: run `npm ci --prefix web` "
                  "(scripts/run and scripts/test do); the app will lack its map")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${RN_WEB_DIR}/vendor.txt)
set(RN_WEB_MANIFEST ${PROJECT_BINARY_DIR}/web_manifest.txt)
file(WRITE ${RN_WEB_MANIFEST}.new "${manifest}")
file(COPY_FILE ${RN_WEB_MANIFEST}.new ${RN_WEB_MANIFEST} ONLY_IF_DIFFERENT)
set(RN_WEB_ASSETS_C ${PROJECT_BINARY_DIR}/web_assets.c)
add_custom_command(
  OUTPUT ${RN_WEB_ASSETS_C}
  COMMAND ${CMAKE_COMMAND} -DOUT=${RN_WEB_ASSETS_C} -DWEB=${RN_WEB_DIR}
          -DMANIFEST=${RN_WEB_MANIFEST} -DGZDIR=${PROJECT_BINARY_DIR}/web_gz
          -P ${PROJECT_SOURCE_DIR}/cmake/embed_web.cmake
  DEPENDS ${deps} ${RN_WEB_MANIFEST} ${PROJECT_SOURCE_DIR}/cmake/embed_web.cmake
  VERBATIM)

# The public portal's downloads are gzipped when the client takes it (zlib).
find_package(ZLIB REQUIRED)
