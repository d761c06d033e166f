package io.verdant.internal.sched;

import io.verdant.Config;
import io.verdant.GreenHandle;
import io.verdant.GreenState;
import io.verdant.Verdant;
import io.verdant.internal.GreenThread;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every spare carrier the ticker starts has its io.verdant.SpareCarrier retire event
 * (started false) when it is asked to retire, also when it goes because the carrier it
 * stood in for left: a spare S1 that stalled got a spare S2, S1's own stalled carrier came
 * back (S1 asked to retire, with its event), and S1 left once its task ended. S2 was
 * retired then (Sysmon.carrierLeft) without an event, so a recording showed S2 started
 * and never retired.
 */
@Timeout(60)
class SpareRetireEventTest {

    /** Spins without a safepoint until {@code stop}. */
    private static long spin(AtomicBoolean stop) {
        long n = 0;
        while (!stop.get()) {
            n++;
        }
        return n;
    }

    private static void waitUntil(String what, BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!c.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what + " within 20 s").isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    /** The alive spare whose current task is {@code h}'s thread, or null. */
    private static Worker spareRunning(Scheduler s, GreenHandle<?> h) {
        for (Worker w : s.carriersAndRetired().carriers()) {
            if (w.isSpare() && w.currentTask() instanceof GreenThread<?> g && g.pid().equals(h.pid())) {
                return w;
            }
        }
        return null;
    }

    @Test
    void aSpareRetiredBecauseTheSpareItStoodInForLeftHasItsRetireEvent(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("spares.jfr");
        AtomicBoolean stopFirst = new AtomicBoolean();
        AtomicBoolean stopSecond = new AtomicBoolean();
        try (Recording rec = new Recording()) {
            rec.enable("io.verdant.SpareCarrier");
            rec.start();
            try (Verdant rt = Verdant.start(Config.builder().workers(1).maxSpareCarriers(2).name("spare-retire-events")
                    .stallThreshold(Duration.ofMillis(50)).build())) {
                Scheduler s = rt.run(() -> GreenThread.current().runtime().scheduler);
                // The carriers ran all the time they were held (a loaded machine cannot starve them).
                s.sysmon().probe(new CarrierProbe() {
                    @Override
                    public long cpuNanos(Worker carrier) {
                        return System.nanoTime();
                    }

                    @Override
                    public boolean blocked(Worker carrier) {
                        return false;
                    }
                });
                GreenHandle<Long> first = rt.spawner().name("first").spawn(() -> spin(stopFirst));
                GreenHandle<Long> second = null;
                try {
                    waitUntil("first running", () -> first.state() == GreenState.RUNNING);
                    // Queued behind first: the stall of carrier-0 starts spare S1, which runs it.
                    second = rt.spawner().name("second").spawn(() -> spin(stopSecond));
                    GreenHandle<Long> secondHandle = second;
                    waitUntil("second running on a spare", () -> spareRunning(s, secondHandle) != null);
                    Worker s1 = spareRunning(s, second);
                    // Queued behind both: the stall of S1 starts spare S2, which runs it.
                    GreenHandle<Integer> third = rt.spawn(() -> 3);
                    assertThat(third.join(Duration.ofSeconds(20))).isEqualTo(3);
                    // The ticker counts a spare once it has started it: S2 may have run third first.
                    waitUntil("two spares started", () -> rt.metrics().sparesStarted() == 2);
                    // carrier-0 comes back: S1 is asked to retire, and goes once second ends.
                    stopFirst.set(true);
                    first.join(Duration.ofSeconds(20));
                    waitUntil("S1 asked to retire", () -> s1.retire);
                    stopSecond.set(true);
                    second.join(Duration.ofSeconds(20));
                    s1.join(TimeUnit.SECONDS.toMillis(20));
                    assertThat(s1.isAlive()).isFalse();
                    waitUntil("no spare alive", () -> rt.metrics().sparesAlive() == 0);
                } finally {
                    stopFirst.set(true);
                    stopSecond.set(true);
                    first.join(Duration.ofSeconds(20));
                    if (second != null) {
                        second.join(Duration.ofSeconds(20));
                    }
                }
            }
            rec.stop();
            rec.dump(file);
            List<String> started = new ArrayList<>();
            List<String> retired = new ArrayList<>();
            for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                if (e.getEventType().getName().equals("io.verdant.SpareCarrier")
                        && e.getString("runtime").equals("spare-retire-events")) {
                    (e.getBoolean("started") ? started : retired).add(e.getString("spare"));
                }
            }
            assertThat(started).as("spares started").hasSize(2);
            assertThat(retired).as("spares asked to retire").containsExactlyInAnyOrderElementsOf(started);
        }
    }
}
