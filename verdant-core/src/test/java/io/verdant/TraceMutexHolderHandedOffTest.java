package io.verdant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.verdant.internal.sched.SchedulerTestAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A slice that parked on a Mutex whose holder unlocked it before the carrier wrote
 * the slice (a carrier descheduled at that point under load): unlock hands the
 * mutex to the first waiter, so the carrier, reading the holder when it writes the
 * slice, named the parked thread itself as the holder it waited for. A fault hook
 * holds the carrier at that point; one carrier, so the thread does not run meanwhile.
 */
@Timeout(60)
class TraceMutexHolderHandedOffTest {

    @AfterEach
    void unhook() {
        SchedulerTestAccess.onSliceEnding(null);
    }

    @Test
    void aSliceParkedOnAMutexNeverNamesItsOwnThreadAsTheHolder() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).name("mutex-handoff").build())) {
            Mutex<Integer> m = new Mutex<>(0);
            Mutex.Guard<Integer> held = m.lock(Duration.ofSeconds(20)); // this platform thread holds it
            TraceRecording trace = rt.startTrace();
            AtomicBoolean armed = new AtomicBoolean();
            AtomicBoolean handedOff = new AtomicBoolean();
            CountDownLatch ending = new CountDownLatch(1);
            CountDownLatch released = new CountDownLatch(1);
            SchedulerTestAccess.onSliceEnding(() -> {
                // The hook is global: only this runtime's carriers (a runtime another test
                // left behind may still end slices in this JVM).
                if (Thread.currentThread().getName().startsWith("mutex-handoff-carrier-") && armed.compareAndSet(true, false)) {
                    ending.countDown();
                    // The only carrier: the park's dispatch over, its SLICE not written. The test
                    // unlocks; the mutex passes to the parked thread, which cannot run meanwhile.
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while ((m.waiters() != 0 || !m.isLocked()) && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    handedOff.set(m.waiters() == 0 && m.isLocked());
                    released.countDown();
                }
            });
            GreenHandle<Integer> h = rt.spawn(() -> {
                armed.set(true);
                try (Mutex.Guard<Integer> g = m.lock(Duration.ofSeconds(20))) {
                    return g.get();
                }
            });
            assertThat(ending.await(20, TimeUnit.SECONDS)).as("the carrier ended the park's dispatch").isTrue();
            assertThat(m.waiters()).isEqualTo(1);
            held.close(); // hands the mutex to the parked thread
            assertThat(released.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(handedOff).as("the mutex passed to the parked thread while its carrier was held").isTrue();
            assertThat(h.join(Duration.ofSeconds(20))).isZero();
            trace.stop();
            StringBuilder json = new StringBuilder();
            trace.writeChromeJson(json);
            JsonNode parkedSlice = null;
            for (JsonNode e : new ObjectMapper().readTree(json.toString()).get("traceEvents")) {
                if (e.get("ph").asText().equals("X") && e.get("cat").asText().equals("slice")
                        && e.get("args").get("pid").asText().equals(h.pid().toString())
                        && e.get("args").get("ended").asText().equals("park")) {
                    assertThat(parkedSlice).as("one parked slice").isNull();
                    parkedSlice = e.get("args");
                }
            }
            assertThat(parkedSlice).isNotNull();
            assertThat(parkedSlice.get("blocker").asText()).startsWith("Mutex.lock");
            if (parkedSlice.has("holder")) {
                assertThat(parkedSlice.get("holder").asText()).as("the holder it waited for")
                        .isNotEqualTo(h.pid().toString());
            }
        }
    }
}
