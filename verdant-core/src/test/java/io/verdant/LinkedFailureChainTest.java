package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A long chain of linked green threads (each linked to the next) whose head
 * fails: every thread dies of its neighbour's failure. Each LinkedFailureException
 * must name the original failure as its cause, not the neighbour's
 * LinkedFailureException: a cause chain (and a message embedding each cause's
 * message) as long as the link chain made the exit path, the joiners, the
 * failure log and any printStackTrace quadratic in memory and time (10,000
 * links: gigabytes of message text).
 */
@Timeout(120)
class LinkedFailureChainTest {
    private static final int CHAIN = 10_000;
    /** Far above one exception's printed size (a few KB), far below a chain's. */
    private static final int MAX_PRINTED = 64 * 1024;
    private static final Pattern DROPPED = Pattern.compile("^(\\d+) log record\\(s\\) from green threads were dropped");

    @Test
    void aLongChainOfLinkedGreenThreadsEndsWithBoundedFailures() throws Exception {
        IllegalStateException original = new IllegalStateException("head failed");
        Logger failures = Logger.getLogger("io.verdant.failures");
        Logger verdant = Logger.getLogger("io.verdant");
        LogCapture quiet = new LogCapture("io.verdant"); // keeps the drop reports off the console
        try (quiet; LogCapture log = new LogCapture("io.verdant.failures");
                Verdant rt = Verdant.start(Config.builder().workers(2).name("lfe-chain").build())) {
            failures.setLevel(Level.FINE); // linked failures count as observed: logged at DEBUG
            CountDownLatch logged = new CountDownLatch(CHAIN);
            AtomicInteger largest = new AtomicInteger();
            Handler printer = new Handler() {
                @Override
                public void publish(LogRecord r) {
                    if (r.getThrown() != null) {
                        largest.accumulateAndGet(printed(r.getThrown()).length(), Math::max);
                        logged.countDown();
                    }
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            };
            // Past OffThreadLog's capacity records are dropped and counted in a WARNING on io.verdant.
            Handler dropCounter = new Handler() {
                @Override
                public void publish(LogRecord r) {
                    Matcher m = DROPPED.matcher(String.valueOf(r.getMessage()));
                    if (m.find()) {
                        for (long n = Long.parseLong(m.group(1)); n > 0; n--) {
                            logged.countDown();
                        }
                    }
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            };
            printer.setLevel(Level.ALL);
            failures.addHandler(printer);
            verdant.addHandler(dropCounter);
            CountDownLatch linked = new CountDownLatch(CHAIN - 1);
            List<GreenHandle<Void>> all = new ArrayList<>(CHAIN);
            GreenHandle<Void> head = rt.spawn(() -> {
                Green.receive(String.class);
                throw original;
            });
            all.add(head);
            for (int i = 1; i < CHAIN; i++) {
                Pid prev = all.get(i - 1).pid();
                all.add(rt.spawn(() -> {
                    assertThat(Green.link(prev)).isTrue();
                    linked.countDown();
                    Green.receive(String.class); // never comes: the neighbour's failure ends it
                }));
            }
            assertThat(linked.await(60, TimeUnit.SECONDS)).as("all linked").isTrue();
            Green.send(head.pid(), "go");
            for (int i = 0; i < CHAIN; i++) {
                GreenHandle<Void> h = all.get(i);
                try {
                    h.join(Duration.ofSeconds(60));
                    fail("%s ended normally", h);
                } catch (GreenFailedException e) {
                    assertBounded(e, original, i, i == 0 ? null : all.get(i - 1).pid());
                }
            }
            // Every failure is logged (WARNING or DEBUG) or counted as dropped, and each record
            // prints in bounded size.
            try {
                assertThat(logged.await(60, TimeUnit.SECONDS)).as("failures logged or dropped").isTrue();
            } finally {
                failures.removeHandler(printer);
                verdant.removeHandler(dropCounter);
            }
            assertThat(largest.get()).as("largest printed failure").isLessThan(MAX_PRINTED);
            assertThat(log.records()).isNotEmpty();
        }
    }

    @Test
    void aLongChainOfLinkedEventActorsEndsWithBoundedFailures() throws Exception {
        IllegalStateException original = new IllegalStateException("head actor failed");
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("lfe-actors")
                .failureHandler((h, f) -> { }).build())) {
            ConcurrentLinkedQueue<GreenHandle<Object>> all = new ConcurrentLinkedQueue<>();
            CountDownLatch last = new CountDownLatch(1);
            GreenHandle<Object> head = Actors.spawner(rt).spawn(null, (s, m) -> {
                if (m instanceof String) {
                    throw original;
                }
                return step(s, m);
            });
            all.add(head);
            rt.send(head.pid(), new Object[] {CHAIN - 1, all, last});
            assertThat(last.await(60, TimeUnit.SECONDS)).isTrue();
            rt.send(head.pid(), "fail");
            assertThat(all).hasSize(CHAIN);
            List<GreenHandle<Object>> chain = List.copyOf(all);
            for (int i = 0; i < CHAIN; i++) {
                GreenHandle<Object> h = chain.get(i);
                try {
                    h.join(Duration.ofSeconds(60));
                    fail("%s ended normally", h);
                } catch (GreenFailedException e) {
                    assertBounded(e, original, i, i == 0 ? null : chain.get(i - 1).pid());
                }
            }
        }
    }

    /** The failure of the thread {@code hops} links from the head, killed by {@code neighbour}. */
    private static void assertBounded(GreenFailedException e, Throwable original, int hops, Pid neighbour) {
        int depth = 0;
        Throwable root = e;
        for (Throwable c = e; c != null; c = c.getCause()) {
            depth++;
            root = c;
            if (depth > 10) {
                break;
            }
        }
        assertThat(depth).as("cause depth").isLessThanOrEqualTo(3);
        assertThat(root).isSameAs(original);
        if (hops == 0) {
            assertThat(e.getCause()).isSameAs(original);
        } else {
            assertThat(e.getCause()).isInstanceOf(LinkedFailureException.class);
            LinkedFailureException lfe = (LinkedFailureException) e.getCause();
            assertThat(lfe.getCause()).isSameAs(original);
            assertThat(lfe.source()).isEqualTo(neighbour);
            assertThat(lfe.hops()).isEqualTo(hops);
            assertThat(lfe.getMessage()).contains(neighbour.toString()).contains(original.getMessage());
        }
        assertThat(e.getMessage().length()).as("message length").isLessThan(MAX_PRINTED);
        assertThat(printed(e).length()).as("printed size").isLessThan(MAX_PRINTED);
    }

    private static String printed(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    @SuppressWarnings("unchecked")
    private static Object step(Object s, Object m) {
        if (m instanceof Object[] a) {
            int left = (Integer) a[0];
            if (left == 0) {
                ((CountDownLatch) a[2]).countDown();
            } else {
                GreenHandle<Object> next = Actors.spawner().cancelWith(CancelToken.create()).link()
                        .spawn(null, LinkedFailureChainTest::step);
                ((ConcurrentLinkedQueue<GreenHandle<Object>>) a[1]).add(next);
                Green.send(next.pid(), new Object[] {left - 1, a[1], a[2]});
            }
        }
        return s;
    }
}
