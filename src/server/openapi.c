/* SPDX-License-Identifier: Apache-2.0
 *
 * openapi.c — embeds src/server/openapi.json (the API's OpenAPI 3 document,
 * kept by hand beside router.c) into the binary at build time, NUL-ended,
 * as srv_openapi_json. The assembler finds the file through the include
 * path the build gives this folder (-I src/server). Edit openapi.json with
 * router.c: tests/unit/test_server_routes.c fails when they disagree, and
 * tests/e2e/server_api.sh checks the served copy equals the file (a stale
 * object file after editing only the JSON shows there: touch openapi.c). */
#include "server.h"

__asm__(".pushsection .rodata\n"
        ".global srv_openapi_json\n"
        ".type srv_openapi_json, @object\n"
        ".balign 16\n"
        "srv_openapi_json:\n"
        ".incbin \"openapi.json\"\n"
        ".byte 0\n"
        ".size srv_openapi_json, . - srv_openapi_json\n"
        ".popsection\n");
