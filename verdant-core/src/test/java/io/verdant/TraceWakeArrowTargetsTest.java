package io.verdant;

import com.fasterxml.jackson.databind.JsonNode;
import io.verdant.TraceTest.Slice;
import io.verdant.TraceWakeSourcesTest.Arrow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A wake-up's arrow (JSON flow, HTML arrow) ends at the slice it made runnable
 * (the green-thread view's "woken by", which shares the matching but places a
 * wake-up by a green thread at its waker's slice's end, is in GreenThreadViewTest). The carrier stamps a wake-up
 * by a green thread with its waker's slice's begin only, and the exporters took
 * the woken thread's first slice beginning after that: one waker slice that woke
 * a thread twice (the thread ran a slice on the other carrier in between) drew
 * both arrows to the first woken slice, and a waker slice that began before the
 * woken thread's previous slice drew its arrow to that previous slice. The waker
 * spins in one slice (no safepoint, no park) while the other carrier runs the
 * woken thread.
 */
@Timeout(60)
class TraceWakeArrowTargetsTest {
    private static final long WAIT = TimeUnit.SECONDS.toNanos(20);

    @Test
    void oneWakerSliceThatWakesAThreadTwicePointsAtTwoSlices() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).maxSpareCarriers(0).name("wake-twice").build())) {
            AtomicReference<Thread> woken = new AtomicReference<>();
            AtomicInteger ran = new AtomicInteger();
            AtomicReference<String> failure = new AtomicReference<>();
            TraceRecording trace = rt.startTrace();
            GreenHandle<Void> t = rt.spawner().name("woken").spawn(() -> {
                woken.set(Thread.currentThread());
                LockSupport.park();
                ran.incrementAndGet();
                LockSupport.park();
                ran.incrementAndGet();
            });
            GreenHandle<Void> w = rt.spawner().name("waker").spawn(() -> {
                // One slice throughout: spins, never parks or yields.
                spin(() -> woken.get() != null, failure, "woken started");
                spin(() -> woken.get().getState() == Thread.State.WAITING, failure, "woken parked");
                LockSupport.unpark(woken.get());
                spin(() -> ran.get() == 1 && woken.get().getState() == Thread.State.WAITING, failure,
                        "woken ran elsewhere and parked again");
                pause(); // the two woken slices a few pixels apart in the HTML
                LockSupport.unpark(woken.get());
                spin(() -> ran.get() == 2, failure, "woken ran again");
            });
            w.join(Duration.ofSeconds(30));
            t.join(Duration.ofSeconds(30));
            trace.stop();
            assertThat(failure.get()).isNull();

            JsonNode root = TraceTest.parse(trace);
            List<Slice> mine = slicesOf(root, t.pid());
            assertThat(mine).as("woken: parked, woken, woken again").hasSize(3);
            Slice waker = only(slicesOf(root, w.pid()));
            List<Arrow> wakes = TraceWakeSourcesTest.arrows(root).stream()
                    .filter(a -> a.cat().equals("wake") && a.to().pid().equals(t.pid().toString())).toList();
            assertThat(wakes).as("two wake-ups by the waker's one slice").hasSize(2)
                    .allMatch(a -> a.fromTid() == waker.tid());
            assertThat(wakes).extracting(Arrow::to).as("each points at the slice it woke")
                    .containsExactlyInAnyOrder(mine.get(1), mine.get(2));
            assertThat(arrowTips(TraceViewTest.html(trace), "wake: waker", "woken")).as("HTML arrows waker -> woken")
                    .hasSize(2);
        }
    }

    @Test
    void aLongWakerSliceDoesNotPointAtASliceWokenBySomeoneElse() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).maxSpareCarriers(0).name("wake-long").build())) {
            AtomicReference<Thread> woken = new AtomicReference<>();
            AtomicInteger ran = new AtomicInteger();
            AtomicReference<String> failure = new AtomicReference<>();
            CountDownLatch spinning = new CountDownLatch(1);
            TraceRecording trace = rt.startTrace();
            GreenHandle<Void> t = rt.spawner().name("woken").spawn(() -> {
                woken.set(Thread.currentThread());
                LockSupport.park(); // woken from outside
                ran.incrementAndGet();
                LockSupport.park(); // woken by the waker
                ran.incrementAndGet();
            });
            GreenHandle<Void> w = rt.spawner().name("waker").spawn(() -> {
                // One slice throughout, begun before the woken thread's slice woken from outside.
                spin(() -> woken.get() != null && woken.get().getState() == Thread.State.WAITING, failure,
                        "woken parked");
                spinning.countDown();
                spin(() -> ran.get() == 1 && woken.get().getState() == Thread.State.WAITING, failure,
                        "woken ran elsewhere and parked again");
                pause();
                LockSupport.unpark(woken.get());
                spin(() -> ran.get() == 2, failure, "woken ran again");
            });
            assertThat(spinning.await(30, TimeUnit.SECONDS)).isTrue();
            pause();
            LockSupport.unpark(woken.get()); // from outside: a WAKE_FROM with its own time
            w.join(Duration.ofSeconds(30));
            t.join(Duration.ofSeconds(30));
            trace.stop();
            assertThat(failure.get()).isNull();

            JsonNode root = TraceTest.parse(trace);
            List<Slice> mine = slicesOf(root, t.pid());
            assertThat(mine).as("woken: parked, woken from outside, woken by the waker").hasSize(3);
            Slice waker = only(slicesOf(root, w.pid()));
            assertThat(waker.begin()).as("the waker's slice began before the slice woken from outside")
                    .isLessThan(mine.get(1).begin());
            List<Arrow> arrows = TraceWakeSourcesTest.arrows(root).stream()
                    .filter(a -> a.name().equals("wake") && a.to().pid().equals(t.pid().toString())).toList();
            assertThat(arrows).extracting(Arrow::cat).containsExactlyInAnyOrder("outside", "wake");
            for (Arrow a : arrows) {
                assertThat(a.to()).as("the %s arrow's slice", a.cat())
                        .isEqualTo(a.cat().equals("outside") ? mine.get(1) : mine.get(2));
            }
            String page = TraceViewTest.html(trace);
            List<Double> outside = arrowTips(page, "wake: outside", "woken");
            List<Double> byWaker = arrowTips(page, "wake: waker", "woken");
            assertThat(outside).hasSize(1);
            assertThat(byWaker).hasSize(1);
            assertThat(byWaker.get(0)).as("the waker's HTML arrow ends right of the outside one's")
                    .isGreaterThan(outside.get(0));
        }
    }

    /** Spins (the caller's slice goes on) until {@code done}, or records a failure after WAIT. */
    private static void spin(BooleanSupplier done, AtomicReference<String> failure, String what) {
        long deadline = System.nanoTime() + WAIT;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                failure.compareAndSet(null, "timed out waiting: " + what);
                throw new IllegalStateException(what);
            }
            Thread.onSpinWait();
        }
    }

    /** Five milliseconds of spinning: keeps slices apart on the HTML page's pixel grid (no ordering relies on it). */
    private static void pause() {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }

    private static List<Slice> slicesOf(JsonNode root, Pid pid) {
        return TraceTest.slices(root).stream().filter(s -> s.pid().equals(pid.toString())).toList();
    }

    private static Slice only(List<Slice> slices) {
        assertThat(slices).as("one slice").hasSize(1);
        return slices.get(0);
    }

    /** The x of the tips of the HTML arrows whose title begins {@code from} and names {@code to} after the arrow. */
    private static List<Double> arrowTips(String page, String from, String to) {
        Pattern p = Pattern.compile("<g><title>" + Pattern.quote(from) + "[^<]*\u2192 " + Pattern.quote(to)
                + "[^<]*</title><line [^>]*/><polygon points=\"([0-9.]+),");
        Matcher m = p.matcher(page);
        List<Double> out = new ArrayList<>();
        while (m.find()) {
            out.add(Double.parseDouble(m.group(1)));
        }
        return out;
    }
}
