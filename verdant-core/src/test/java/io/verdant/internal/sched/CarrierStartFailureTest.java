package io.verdant.internal.sched;

import io.verdant.Config;
import io.verdant.Verdant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A runtime's start during which a carrier's Thread.start fails (the JVM cannot create
 * the native thread: an OutOfMemoryError, injected at the fault site CARRIER_STARTING)
 * throws that error and leaves no carrier running: before the fix the carriers started
 * before the failing one stayed parked for the life of the JVM, with nothing to close.
 * Needs -Dio.verdant.internal.faults=true (verdant-core's test build sets it).
 */
@Timeout(60)
class CarrierStartFailureTest {

    @AfterEach
    void removeHook() {
        Faults.install(null);
    }

    private static List<Thread> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(prefix) && t.isAlive()).toList();
    }

    @Test
    void aStartWhoseSecondCarrierCannotStartLeavesNoCarrierRunning() throws Exception {
        String name = "carrier-start-fails";
        Faults.install((w, site) -> {
            if (site == Faults.Site.CARRIER_STARTING && w.getName().equals(name + "-carrier-1")) {
                throw new OutOfMemoryError("injected: unable to create native thread");
            }
        });
        assertThatThrownBy(() -> Verdant.start(Config.builder().workers(2).name(name).build()))
                .isInstanceOf(OutOfMemoryError.class);
        Faults.install(null);
        // The docs: "a failed start leaves nothing running". Carrier 0 had started.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20); // a loaded machine may be slow to end them
        while (!threadsNamed(name + "-").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10); // polling a JVM-wide fact: no event says a thread ended
        }
        assertThat(threadsNamed(name + "-")).as("threads of the runtime whose start failed").isEmpty();
    }
}
