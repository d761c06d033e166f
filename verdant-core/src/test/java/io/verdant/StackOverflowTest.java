package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class StackOverflowTest {

    static int recurse(int n) {
        return recurse(n + 1) + 1;
    }

    static int depth(int n) {
        return n == 0 ? 0 : depth(n - 1) + 1;
    }

    @Test
    void aStackOverflowKillsOnlyItsGreenThread() {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("soe").build())) {
            List<GreenHandle<Integer>> others = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int n = i;
                others.add(rt.spawn(() -> {
                    Green.yield();
                    return n;
                }));
            }
            GreenHandle<Integer> overflow = rt.spawn(() -> recurse(0));
            assertThatThrownBy(overflow::join).isInstanceOf(GreenFailedException.class)
                    .hasCauseInstanceOf(StackOverflowError.class);
            int sum = 0;
            for (GreenHandle<Integer> h : others) {
                sum += h.join();
            }
            assertThat(sum).isEqualTo(190);
            // The carrier that hit the overflow carries on, with its full depth available.
            assertThat(rt.run(() -> depth(10_000))).isEqualTo(10_000);
        }
    }

    @Test
    void theCarrierStackSizeBoundsTheRecursionDepth() {
        // A deep (100k frames) recursion fits in the default 16 MiB carrier stack
        // but not in a 512 KiB one, whether depth() runs interpreted or compiled: on
        // JDK 25 (x86-64) a 16 MiB thread holds 173,675 interpreted frames of depth()
        // (-Xint) and a 512 KiB one 26,247 compiled ones (measured on a platform
        // thread). 200k frames (before) fit only once the JIT had compiled depth(),
        // which a loaded machine may not have done yet (a CI run overflowed the 16 MiB stack).
        try (Verdant big = Verdant.start(Config.builder().workers(1).name("soe-big").build());
             Verdant small = Verdant.start(Config.builder().workers(1).stackSize(512 << 10).name("soe-small").build())) {
            assertThat(big.run(() -> depth(100_000))).isEqualTo(100_000);
            assertThatThrownBy(() -> small.run(() -> depth(100_000))).isInstanceOf(GreenFailedException.class)
                    .hasCauseInstanceOf(StackOverflowError.class);
            assertThat(small.run(() -> depth(1_000))).isEqualTo(1_000);
        }
    }
}
