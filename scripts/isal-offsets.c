/*
 * Prints the offsets and sizes of the ISA-L structs that dev.ferry.spi.support.Isal reads and writes through
 * JNA: compile against Debian's libisal-dev (ISA-L 2.30) and compare with the constants in Isal.java.
 *
 *   cc -o /tmp/isal-offsets scripts/isal-offsets.c && /tmp/isal-offsets
 *
 * The layout is the same on every LP64 little-endian target (x86-64, aarch64); Isal refuses anything else. The
 * same output for the headers of ISA-L v2.28.0 to v2.32.1 (git archive TAG include, then cc -I) is why Isal
 * trusts those versions (Isal.VERIFIED).
 */
#include <stddef.h>
#include <stdio.h>
#include <isa-l/igzip_lib.h>

#define P(s, f) printf("%-34s %6zu\n", #s "." #f, offsetof(struct s, f))

int main(void) {
    printf("%-34s %6zu\n", "sizeof(isal_zstream)", sizeof(struct isal_zstream));
    P(isal_zstream, next_in);
    P(isal_zstream, avail_in);
    P(isal_zstream, total_in);
    P(isal_zstream, next_out);
    P(isal_zstream, avail_out);
    P(isal_zstream, total_out);
    P(isal_zstream, level);
    P(isal_zstream, level_buf_size);
    P(isal_zstream, level_buf);
    P(isal_zstream, end_of_stream);
    P(isal_zstream, flush);
    P(isal_zstream, gzip_flag);
    P(isal_zstream, hist_bits);
    P(isal_zstream, internal_state);
    printf("%-34s %6zu\n", "isal_zstream.internal_state.state",
           offsetof(struct isal_zstream, internal_state) + offsetof(struct isal_zstate, state));
    printf("%-34s %6zu\n", "sizeof(inflate_state)", sizeof(struct inflate_state));
    P(inflate_state, next_out);
    P(inflate_state, avail_out);
    P(inflate_state, total_out);
    P(inflate_state, next_in);
    P(inflate_state, avail_in);
    P(inflate_state, block_state);
    P(inflate_state, crc_flag);
    P(inflate_state, crc);
    P(inflate_state, hist_bits);
    printf("%-34s %6d\n", "ISAL_DEF_LVL1_DEFAULT", ISAL_DEF_LVL1_DEFAULT);
    printf("%-34s %6d\n", "ISAL_DEF_LVL2_DEFAULT", ISAL_DEF_LVL2_DEFAULT);
    printf("%-34s %6d\n", "ISAL_DEF_LVL3_DEFAULT", ISAL_DEF_LVL3_DEFAULT);
    printf("%-34s %6d\n", "ZSTATE_NEW_HDR", ZSTATE_NEW_HDR);
    printf("%-34s %6d\n", "ZSTATE_END", ZSTATE_END);
    printf("%-34s %6d\n", "ISAL_BLOCK_FINISH", ISAL_BLOCK_FINISH);
    return 0;
}
