package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The monitor: stalled carriers are reported and their work handed to spare carriers. */
@Timeout(60)
class StallTest {
    /**
     * Captures what System.Logger "io.verdant.sysmon" prints, through its default
     * java.util.logging backend. Reflection, because the tests are patched into
     * module io.verdant, which does not read java.logging (core reflection does
     * not need readability).
     */
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private Object logger;
    private Object handler;

    @BeforeEach
    void capture() throws Exception {
        Class<?> loggerClass = Class.forName("java.util.logging.Logger");
        Class<?> formatter = Class.forName("java.util.logging.Formatter");
        logger = loggerClass.getMethod("getLogger", String.class).invoke(null, "io.verdant.sysmon");
        handler = Class.forName("java.util.logging.StreamHandler").getConstructor(OutputStream.class, formatter)
                .newInstance(log, Class.forName("java.util.logging.SimpleFormatter").getConstructor().newInstance());
        loggerClass.getMethod("addHandler", Class.forName("java.util.logging.Handler")).invoke(logger, handler);
    }

    @AfterEach
    void release() throws Exception {
        Class.forName("java.util.logging.Logger").getMethod("removeHandler", Class.forName("java.util.logging.Handler"))
                .invoke(logger, handler);
    }

    private String logText() throws Exception {
        Class.forName("java.util.logging.Handler").getMethod("flush").invoke(handler);
        synchronized (log) {
            return log.toString(StandardCharsets.UTF_8);
        }
    }

    /** WARNING records about carriers of runtime {@code name}. */
    private int stallReports(String name) throws Exception {
        return stallReports(name, "");
    }

    /** WARNING records about carriers of runtime {@code name} held by a green thread whose name contains {@code who}. */
    private int stallReports(String name, String who) throws Exception {
        String text = logText();
        String key = "WARNING: green thread ";
        int count = 0;
        for (int i = text.indexOf(key); i >= 0; i = text.indexOf(key, i + 1)) {
            int end = text.indexOf('\n', i);
            String line = text.substring(i, end < 0 ? text.length() : end);
            if (line.contains("has held carrier " + name + "-") && line.contains(who)) {
                count++;
            }
        }
        return count;
    }

    /** Never reaches a safepoint: no checkpoint, no park, only a volatile read. */
    static long spinWithoutSafepoint(AtomicBoolean stop) {
        long n = 0;
        while (!stop.get()) {
            n++;
        }
        return n;
    }

    @Test
    void aLoopWithoutSafepointDoesNotStopOtherGreenThreadsAndIsReportedOnce() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("stall-one")
                .stallThreshold(Duration.ofMillis(100)).build())) {
            GreenHandle<Long> looper = rt.spawner().name("looper").spawn(() -> spinWithoutSafepoint(stop));
            try {
                waitUntil(() -> looper.state() == GreenState.RUNNING);
                // The only core carrier is stuck: these run on a spare carrier.
                List<GreenHandle<Integer>> others = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    int n = i;
                    others.add(rt.spawn(() -> {
                        Green.yield();
                        return n;
                    }));
                }
                long sum = 0;
                for (GreenHandle<Integer> h : others) {
                    sum += h.join(Duration.ofSeconds(20));
                }
                assertThat(sum).isEqualTo(4950);
                assertThat(spareThreads("stall-one")).hasSize(1);
            } finally {
                stop.set(true);
            }
            looper.join(Duration.ofSeconds(20));
            // The stuck carrier is back: its spare retires.
            waitUntil(() -> spareThreads("stall-one").isEmpty());

            // Reports are written by a short-lived reporter thread, off the ticker.
            waitUntil(() -> stallReports("stall-one", "[looper]") >= 1);
            assertThat(stallReports("stall-one", "[looper]")).isEqualTo(1);
            assertThat(logText()).contains("WARNING").contains(looper.pid().toString()).contains("[looper]")
                    .contains("stall-one-carrier-0").contains("stall-one-spare-0").containsPattern("for \\d+ ms")
                    .contains("StallTest.spinWithoutSafepoint");
        }
    }

    @Test
    void spareCarriersAreBounded() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        try (Verdant rt = Verdant.start(Config.builder().workers(2).maxSpareCarriers(1).name("stall-bound")
                .stallThreshold(Duration.ofMillis(50)).build())) {
            List<GreenHandle<Long>> loopers = new ArrayList<>();
            try {
                // Three loops: two stall the cores, then the third stalls the one spare.
                for (int i = 0; i < 3; i++) {
                    loopers.add(rt.spawner().name("looper-" + i).spawn(() -> spinWithoutSafepoint(stop)));
                }
                waitUntil(() -> loopers.stream().allMatch(h -> h.state() == GreenState.RUNNING));
                GreenHandle<Integer> queued = rt.spawn(() -> 1);
                waitUntil(() -> stallReports("stall-bound") >= 3);
                assertThat(spareThreads("stall-bound")).hasSize(1);
                assertThat(logText()).contains("all 1 are in use");
                assertThat(queued.isDone()).isFalse();
            } finally {
                stop.set(true);
            }
            for (GreenHandle<Long> h : loopers) {
                h.join(Duration.ofSeconds(20));
            }
            waitUntil(() -> spareThreads("stall-bound").isEmpty());
        }
    }

    @Test
    void tickerMonitorSparesAndBlockingPoolStopOnClose() throws Exception {
        Verdant rt = Verdant.start(Config.builder().workers(1).name("stall-close")
                .stallThreshold(Duration.ofMillis(50)).shutdownTimeout(Duration.ofSeconds(10)).build());
        // Spins until close() interrupts it: no safepoint, but it ends when asked.
        GreenHandle<Void> looper = rt.spawn(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.onSpinWait();
            }
        });
        waitUntil(() -> looper.state() == GreenState.RUNNING);
        assertThat(rt.spawn(() -> Green.blocking(() -> "off carrier")).join(Duration.ofSeconds(20)))
                .isEqualTo("off carrier");
        assertThat(spareThreads("stall-close")).hasSize(1);
        assertThat(threads("stall-close")).extracting(Thread::getName)
                .anyMatch(n -> n.contains("-ticker")).anyMatch(n -> n.contains("-blocking-"));
        rt.close();
        for (Thread t : threads("stall-close")) {
            t.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertThat(threads("stall-close")).isEmpty();
    }

    static List<Thread> threads(String runtimeName) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(runtimeName + "-")).toList();
    }

    static List<Thread> spareThreads(String runtimeName) {
        // Not the short-lived "<carrier>-stall-report" threads, whose names start with a spare's name too.
        return threads(runtimeName).stream().filter(t -> t.getName().startsWith(runtimeName + "-spare-")
                && !t.getName().endsWith("-stall-report")).toList();
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    static void waitUntil(Condition condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.holds()) {
            assertThat(System.nanoTime()).as("condition not reached within 20 s").isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
