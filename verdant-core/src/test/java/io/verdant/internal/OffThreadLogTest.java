package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Determinism;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.logging.Level;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A green thread that logs never parks on the writer's queue: in a
 * deterministic runtime, where a wake-up from the writer thread (a thread
 * outside the runtime) fails the schedule, many records in a row still pass.
 * With a lock-based queue the writer's unlock woke a green thread that had
 * parked on the queue's lock, and the schedule was refused ("woken by
 * verdant-log-writer").
 */
@Timeout(120)
class OffThreadLogTest {
    /** Held here: java.util.logging keeps loggers weakly. Off: the writer does little but take the next record. */
    private static final Logger QUIET = Logger.getLogger("io.verdant.test.offthreadlog");
    private static final System.Logger LOG = System.getLogger("io.verdant.test.offthreadlog");

    @Test
    void greenThreadsLoggingInADeterministicRuntimeAreNeverWokenByTheWriter() {
        QUIET.setLevel(Level.OFF);
        for (int run = 0; run < 20; run++) {
            try (Verdant rt = Verdant.deterministic(Config.defaults(), Determinism.seed(run))) {
                int logged = rt.run(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        OffThreadLog.log(LOG, System.Logger.Level.INFO, "record " + i, null);
                    }
                    return 2_000;
                });
                assertThat(logged).isEqualTo(2_000);
            }
        }
    }
}
