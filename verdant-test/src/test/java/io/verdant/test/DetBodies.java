package io.verdant.test;

import io.verdant.Green;
import io.verdant.GreenHandle;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;

/** What this module's tests share: the lost-update counter race and the quiet supervisor log. */
final class DetBodies {
    private DetBodies() {
    }

    /**
     * Green only: {@code threads} green threads each increment a shared plain
     * counter {@code rounds} times with a scheduling point between the read and
     * the write; returns the count ({@code threads * rounds} unless an update was lost).
     */
    static int racyIncrements(int threads, int rounds) {
        int[] counter = new int[1];
        List<GreenHandle<Void>> hs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            hs.add(Green.spawn(() -> {
                for (int i = 0; i < rounds; i++) {
                    int v = counter[0];
                    Green.schedulingPoint(); // another thread may run here
                    counter[0] = v + 1;
                }
            }));
        }
        Green.joinAll(hs);
        return counter[0];
    }

    /**
     * The supervisor's restart log goes through a java.util.logging handler whose
     * monitor a platform thread may hold at the same time; a green thread blocked
     * on it is refused by a deterministic run (see docs/testing.md). A test class
     * that {@code @ExtendWith}s this has restart logging off.
     */
    static final class QuietRestartLog implements BeforeAllCallback, AfterAllCallback {
        private static final java.util.logging.Logger SUPERVISOR_LOG =
                java.util.logging.Logger.getLogger("io.verdant.supervisor");

        @Override
        public void beforeAll(ExtensionContext context) {
            SUPERVISOR_LOG.setLevel(java.util.logging.Level.OFF);
        }

        @Override
        public void afterAll(ExtensionContext context) {
            SUPERVISOR_LOG.setLevel(null);
        }
    }
}
