package io.verdant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.verdant.internal.sched.SchedulerTestAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A slice that ended in a park on one blocker, whose thread was woken, ran on the
 * other carrier and parked there on another blocker before the first carrier wrote
 * the slice (a carrier descheduled at that point under load). The carrier reads the
 * blocker when it writes the slice, so the first slice said it parked on the second
 * blocker, what the thread did later elsewhere. A fault hook holds the carrier at
 * that point.
 */
@Timeout(60)
class TraceParkBlockerElsewhereTest {

    /** A slice of the trace's carrier lanes: its carrier, begin, why it ended and its blocker ("" for none). */
    record Slice(int tid, long begin, String ended, String blocker) {
    }

    /** The slices of green thread {@code pid} in {@code trace}, by begin time. */
    static List<Slice> slicesOf(TraceRecording trace, Pid pid) throws Exception {
        StringBuilder json = new StringBuilder();
        trace.writeChromeJson(json);
        List<Slice> out = new ArrayList<>();
        for (JsonNode e : new ObjectMapper().readTree(json.toString()).get("traceEvents")) {
            if (e.get("ph").asText().equals("X") && e.get("cat").asText().equals("slice")
                    && e.get("args").get("pid").asText().equals(pid.toString())) {
                JsonNode a = e.get("args");
                out.add(new Slice(e.get("tid").asInt(), TraceCostTest.nanos(e.get("ts")), a.get("ended").asText(),
                        a.has("blocker") ? a.get("blocker").asText() : ""));
            }
        }
        out.sort(Comparator.comparingLong(Slice::begin));
        return out;
    }

    @AfterEach
    void unhook() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void aParkedSliceNamesItsOwnBlockerNotThatOfALaterParkOnAnotherCarrier() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).maxSpareCarriers(0).name("park-elsewhere").build())) {
            TraceRecording trace = rt.startTrace();
            AtomicReference<Thread> parked = new AtomicReference<>();
            AtomicBoolean armed = new AtomicBoolean();
            AtomicBoolean parkedElsewhere = new AtomicBoolean();
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch released = new CountDownLatch(1);
            AtomicReference<Thread> heldCarrier = new AtomicReference<>();
            CountDownLatch secondWritten = new CountDownLatch(1);
            SchedulerTestAccess.atSites((w, site) -> {
                Thread carrier = Thread.currentThread();
                if (!carrier.getName().startsWith("park-elsewhere-carrier-")) {
                    return;
                }
                if (site.equals("SLICE_WRITTEN")) {
                    // The other carrier's only slice: the second park's. Until it is written,
                    // waking the thread again would leave that slice to be written late, then
                    // naming no blocker by design (a carrier descheduled here in a .ci/run).
                    if (heldCarrier.get() != null && heldCarrier.get() != carrier) {
                        secondWritten.countDown();
                    }
                    return;
                }
                if (site.equals("SLICE_ENDING") && armed.compareAndSet(true, false)) {
                    heldCarrier.set(carrier);
                    held.countDown();
                    // This carrier: the first park's dispatch over, its SLICE not written. The
                    // test wakes the thread; the other carrier takes it, and it parks again there.
                    Thread t = parked.get();
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (!"second park".equals(LockSupport.getBlocker(t)) && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    parkedElsewhere.set("second park".equals(LockSupport.getBlocker(t)));
                    released.countDown();
                }
            });
            GreenHandle<Void> h = rt.spawn(() -> {
                parked.set(Thread.currentThread());
                armed.set(true);
                LockSupport.park("first park");
                LockSupport.park("second park");
            });
            assertThat(held.await(20, TimeUnit.SECONDS)).as("the carrier ended the first park's dispatch").isTrue();
            LockSupport.unpark(parked.get());
            assertThat(released.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(parkedElsewhere).as("the thread parked again on the other carrier while the first was held").isTrue();
            assertThat(secondWritten.await(20, TimeUnit.SECONDS)).as("the other carrier wrote the second park's slice").isTrue();
            LockSupport.unpark(parked.get());
            h.join(Duration.ofSeconds(20));
            trace.stop();
            List<Slice> mine = slicesOf(trace, h.pid());
            assertThat(mine).extracting(Slice::ended).containsExactly("park", "park", "exit");
            assertThat(mine.get(0).tid()).as("the first two slices ran on different carriers").isNotEqualTo(mine.get(1).tid());
            assertThat(mine.get(0).blocker()).as("the first slice's blocker: its own, or none").isIn("first park", "");
            assertThat(mine.get(1).blocker()).isEqualTo("second park");
        }
    }
}
