package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code metrics()} while spare carriers retire: a retiring spare's counters move
 * from the carriers array to the retired totals (Scheduler.retired, under the
 * spare lock). A reader that took the retired totals before the move and the
 * carriers array after it missed the spare's counters once: the runtime's polls
 * went down between two reads. Counters only grow; this checks that every read
 * is at least the one before.
 */
@Timeout(120)
class MetricsSpareRetireRaceTest {
    private Object sysmonLogger;
    private Object savedLevel;

    /** The stalls below are wanted: keep their WARNING reports (with stacks) out of the test output. */
    @BeforeEach
    void quietStallReports() throws Exception {
        Class<?> loggerClass = Class.forName("java.util.logging.Logger");
        Class<?> levelClass = Class.forName("java.util.logging.Level");
        sysmonLogger = loggerClass.getMethod("getLogger", String.class).invoke(null, "io.verdant.sysmon");
        savedLevel = loggerClass.getMethod("getLevel").invoke(sysmonLogger);
        loggerClass.getMethod("setLevel", levelClass).invoke(sysmonLogger, levelClass.getField("OFF").get(null));
    }

    @AfterEach
    void restoreStallReports() throws Exception {
        Class.forName("java.util.logging.Logger").getMethod("setLevel", Class.forName("java.util.logging.Level"))
                .invoke(sysmonLogger, savedLevel);
    }

    /** Never reaches a safepoint: the carrier stalls and a spare takes its queue. */
    private static long spinWithoutSafepoint(AtomicBoolean stop) {
        long n = 0;
        while (!stop.get()) {
            n++;
        }
        return n;
    }

    private static void waitUntil(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as(what + " within 20 s").isNegative();
            Thread.onSpinWait();
        }
    }

    @Test
    void countersNeverGoDownWhileSparesRetire() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).maxSpareCarriers(1).name("metrics-retire")
                .stallThreshold(Duration.ofMillis(2)).build())) {
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<String> wentDown = new AtomicReference<>();
            long[] reads = new long[1];
            Thread reader = new Thread(() -> {
                long polls = 0;
                long parks = 0;
                while (!done.get() && wentDown.get() == null) {
                    RuntimeMetrics m = rt.metrics();
                    reads[0]++;
                    if (m.polls() < polls || m.parks() < parks) {
                        wentDown.set("polls " + polls + " -> " + m.polls() + ", parks " + parks + " -> " + m.parks()
                                + " (spares alive " + m.sparesAlive() + ")");
                    }
                    polls = Math.max(polls, m.polls());
                    parks = Math.max(parks, m.parks());
                }
            }, "metrics-reader");
            reader.start();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int cycles = 0;
            try {
                // Bounded: at most 300 stall cycles or 20 s, and no longer than the first read going down.
                while (cycles < 300 && System.nanoTime() - end < 0 && wentDown.get() == null) {
                    AtomicBoolean stop = new AtomicBoolean();
                    GreenHandle<Long> looper = rt.spawner().name("looper").spawn(() -> spinWithoutSafepoint(stop));
                    try {
                        waitUntil(() -> looper.state() == GreenState.RUNNING, "the looper runs");
                        // Work only a spare can run (the stall rule needs waiting work): the
                        // spare's polls and parks grow.
                        List<GreenHandle<Integer>> kids = new ArrayList<>();
                        for (int i = 0; i < 20; i++) {
                            kids.add(rt.spawn(() -> {
                                Green.yield();
                                return 1;
                            }));
                        }
                        for (GreenHandle<Integer> k : kids) {
                            k.join(Duration.ofSeconds(20));
                        }
                        assertThat(rt.metrics().sparesAlive()).isEqualTo(1);
                    } finally {
                        stop.set(true);
                    }
                    looper.join(Duration.ofSeconds(20));
                    waitUntil(() -> rt.metrics().sparesAlive() == 0, "the spare retired");
                    cycles++;
                }
            } finally {
                done.set(true);
                reader.join(TimeUnit.SECONDS.toMillis(20));
            }
            assertThat(reader.isAlive()).isFalse();
            assertThat(cycles).isPositive();
            assertThat(wentDown.get()).as("a read of metrics() lower than the one before, after " + cycles
                    + " spare retirements and " + reads[0] + " reads").isNull();
        }
    }
}
