/* SPDX-License-Identifier: Apache-2.0
 *
 * replay_main.c — runs a fuzz target over every file of a corpus folder, so
 * that the corpus is an ordinary regression test in every build. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    DIR *d = opendir(argv[1]);
    if (!d) {
        fprintf(stderr, "%s: no corpus folder (nothing to replay)\n", argv[1]);
        return 0;
    }
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[1], e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        fseek(f, 0, SEEK_END);
        long sz = ftell(f);
        fseek(f, 0, SEEK_SET);
        if (sz < 0 || sz > (1L << 24)) {
            fclose(f);
            continue;
        }
        uint8_t *buf = malloc((size_t)sz + 1);
        if (buf && fread(buf, 1, (size_t)sz, f) == (size_t)sz)
            LLVMFuzzerTestOneInput(buf, (size_t)sz);
        free(buf);
        fclose(f);
        n++;
    }
    closedir(d);
    printf("replayed %d inputs\n", n);
    return 0;
}
