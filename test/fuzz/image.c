/* Fuzz target: the PE parser SEC_IMAGE runs on a file's headers (src/mm/image.c). The
 * input is the whole file; the parser gets its first MMF__IMAGE_HEADER_MAX bytes, as
 * CreateFileMapping does, and again as an image laid out (what a process handed an image
 * section re-reads). An image it takes must keep the layout's promises: every section
 * within the image, in order and apart, its file bytes within the file and within its
 * pages; the headers within the image. Seeds: small programs mingw-w64 builds (make
 * fuzz makes them when it can), and what runs find. */
#include <assert.h>
#include <stdlib.h>

#include "mm/mm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An image taken keeps the layout's promises. */
static void check_layout(const struct mmf__image *img, size_t size)
{
    assert(img->size && img->size % mmf__page_size == 0 && img->headers <= img->size);
    assert(img->nsections <= MMF__IMAGE_MAX_SECTIONS);
    assert((uint64_t)img->reloc.VirtualAddress + img->reloc.Size <= img->size);
    uint64_t next = img->headers;
    for (uint32_t i = 0; i < img->nsections; i++) {
        const struct mmf__image_section *s = &img->sections[i];
        assert(s->rva >= next && (uint64_t)s->rva + s->size <= img->size);
        assert(s->raw_size <= s->size && (uint64_t)s->raw_off + s->raw_size <= size);
        next = (uint64_t)s->rva + s->size;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct mmf__image img;
    size_t len = size < MMF__IMAGE_HEADER_MAX ? size : MMF__IMAGE_HEADER_MAX;
    /* A copy of exactly len bytes, so that ASan sees any read past what was given. */
    uint8_t *p = malloc(len ? len : 1);
    memcpy(p, data, len);
    /* As a PE file, and as an image section's memfd another process handed over. */
    for (int laid_out = 0; laid_out < 2; laid_out++)
        if (mmf__image_parse(p, len, size, laid_out, &img) == 0)
            check_layout(&img, size);
    free(p);
    return 0;
}
