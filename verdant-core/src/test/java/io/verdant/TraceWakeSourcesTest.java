package io.verdant;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.verdant.TraceTest.Slice;
import io.verdant.internal.obs.ChromeTraceWriter;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Wake-ups made off the carriers (timers, the JDK's I/O poller, platform
 * threads) are arrows from a named source lane, and a slice that ended in a
 * park names what it parked on.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TraceWakeSourcesTest {

    /** A flow arrow read back: where it starts (tid, ts) and the slice it ends in. */
    record Arrow(String cat, String name, int fromTid, long fromTs, Slice to) {
    }

    /** The carriers' process's lanes by tid (the green-thread view, another process, numbers its rows from 1 too). */
    static Map<Integer, String> laneNames(JsonNode root) {
        Map<Integer, String> names = new HashMap<>();
        for (JsonNode e : root.get("traceEvents")) {
            if (e.get("ph").asText().equals("M") && e.get("name").asText().equals("thread_name")
                    && e.get("pid").asLong() < ChromeTraceWriter.GREEN_PID_OFFSET) {
                names.put(e.get("tid").asInt(), e.get("args").get("name").asText());
            }
        }
        return names;
    }

    static List<Arrow> arrows(JsonNode root) {
        List<Slice> all = TraceTest.slices(root);
        Map<Long, JsonNode> starts = new HashMap<>();
        Map<Long, JsonNode> finishes = new HashMap<>();
        for (JsonNode e : root.get("traceEvents")) {
            String ph = e.get("ph").asText();
            if (ph.equals("s")) {
                starts.put(e.get("id").asLong(), e);
            } else if (ph.equals("f")) {
                finishes.put(e.get("id").asLong(), e);
            }
        }
        assertThat(finishes.keySet()).as("every arrow has both ends").isEqualTo(starts.keySet());
        List<Arrow> out = new ArrayList<>();
        for (Map.Entry<Long, JsonNode> s : starts.entrySet()) {
            JsonNode f = finishes.get(s.getKey());
            Slice to = TraceTest.enclosing(all, f.get("tid").asInt(), TraceTest.nanos(f.get("ts")));
            assertThat(to).as("the slice around arrow end %s", f).isNotNull();
            out.add(new Arrow(s.getValue().get("cat").asText(), s.getValue().get("name").asText(),
                    s.getValue().get("tid").asInt(), TraceTest.nanos(s.getValue().get("ts")), to));
        }
        return out;
    }

    /**
     * Waits until green thread {@code pid} is parked on a channel, so that a send wakes
     * it: parked, not on its way to park (a send then would find it parking, and its
     * own carrier would resubmit it: no wake-up from outside). The snapshot's WAITING
     * is set before the park; the virtual thread's own state reads WAITING only once
     * it has unmounted (the JDK's PARKED).
     */
    static void awaitParkedOnAChannel(Verdant rt, Pid pid, Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (rt.snapshot().threads().stream().noneMatch(g -> g.pid().equals(pid)
                && g.state() == GreenState.WAITING && g.waitReason().startsWith("Channel#"))
                || thread.getState() != Thread.State.WAITING) {
            assertThat(System.nanoTime()).as("%s parks", pid).isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    /** The "X" events of category "source" (the arrows' tails off the carriers). */
    static List<JsonNode> sourceEvents(JsonNode root) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : root.get("traceEvents")) {
            if (e.get("ph").asText().equals("X") && e.get("cat").asText().equals("source")) {
                out.add(e);
            }
        }
        return out;
    }

    @Test
    void aSleepingThreadsWakeArrowComesFromTheTimerLane() throws Exception {
        int sleeps = 5;
        // One carrier: with two, a carrier descheduled between the sleep's park and writing
        // its slice let the timer's wake-up run the sleeper on the other one first; the late
        // slice then names no blocker by design (TraceParkBlockerElsewhereTest).
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("trace-timer").build())) {
            TraceRecording trace = rt.startTrace();
            Pid sleeper = rt.run(() -> {
                GreenHandle<Void> h = Green.spawner().name("sleeper").spawn(() -> {
                    for (int i = 0; i < sleeps; i++) {
                        Green.sleep(Duration.ofMillis(3));
                    }
                });
                h.join();
                return h.pid();
            });
            trace.stop();
            JsonNode root = TraceTest.parse(trace);
            Map<Integer, String> names = laneNames(root);
            List<Arrow> timer = arrows(root).stream().filter(a -> a.cat.equals("timer")).toList();
            List<Arrow> toSleeper = timer.stream().filter(a -> a.to.pid().equals(sleeper.toString())).toList();
            // Every slice of the sleeper that follows one which parked in a sleep begins with a
            // timer arrow. (A sleep that cannot unmount, pinned, parks its carrier: no slice ends.)
            List<Slice> mine = TraceTest.slices(root).stream().filter(x -> x.pid().equals(sleeper.toString())).toList();
            List<JsonNode> mineJson = new ArrayList<>();
            for (JsonNode e : root.get("traceEvents")) {
                if (e.get("ph").asText().equals("X") && e.get("cat").asText().equals("slice")
                        && e.get("args").get("pid").asText().equals(sleeper.toString())) {
                    mineJson.add(e);
                }
            }
            mineJson.sort((x, y) -> Double.compare(x.get("ts").asDouble(), y.get("ts").asDouble()));
            int afterSleeps = 0;
            for (int i = 1; i < mine.size(); i++) {
                JsonNode prev = mineJson.get(i - 1).get("args");
                if (prev.get("ended").asText().equals("park") && prev.get("blocker").asText().startsWith("sleep ")) {
                    afterSleeps++;
                    Slice woken = mine.get(i);
                    assertThat(toSleeper).as("a timer arrow into %s", woken).anyMatch(a -> a.to.equals(woken));
                }
            }
            assertThat(afterSleeps).as("slices after a sleep").isGreaterThanOrEqualTo(sleeps - 2);
            assertThat(toSleeper).hasSize(afterSleeps);
            for (Arrow a : toSleeper) {
                assertThat(names.get(a.fromTid)).isEqualTo("timer");
                assertThat(a.name).isEqualTo("wake");
                assertThat(a.to.begin()).isGreaterThanOrEqualTo(a.fromTs - 1);
            }
            // The tails are "X" events on the timer lane, and the slices before each wake-up parked on a sleep.
            assertThat(sourceEvents(root)).anySatisfy(e -> assertThat(names.get(e.get("tid").asInt())).isEqualTo("timer"));
            int parkedSleeps = 0;
            for (JsonNode e : root.get("traceEvents")) {
                if (e.get("ph").asText().equals("X") && e.get("cat").asText().equals("slice")
                        && e.get("args").get("pid").asText().equals(sleeper.toString())
                        && e.get("args").get("ended").asText().equals("park")) {
                    assertThat(e.get("args").has("blocker")).as("a park names its blocker: %s", e).isTrue();
                    parkedSleeps++;
                }
            }
            // As afterSleeps: a sleep ends no slice if it parks pinned, or if its timer fired before
            // its park (its carrier descheduled in between: the park then returns at once).
            assertThat(parkedSleeps).isGreaterThanOrEqualTo(sleeps - 2);
        }
    }

    @Test
    void aSendFromAPlatformThreadIsAnArrowFromTheOutsideLane() throws Exception {
        int messages = 4;
        // One carrier, so that each park's slice is written before the send's wake-up runs the
        // receiver (with two, the other carrier could run it first: the late slice names no blocker).
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("trace-outside").build())) {
            Channel<Integer> ch = Channel.bounded(64);
            CountDownLatch parked = new CountDownLatch(1);
            AtomicReference<Thread> receiverThread = new AtomicReference<>();
            TraceRecording trace = rt.startTrace();
            GreenHandle<Integer> receiver = rt.spawn(() -> {
                receiverThread.set(Thread.currentThread());
                int sum = 0;
                for (int i = 0; i < messages; i++) {
                    parked.countDown();
                    sum += ch.receive();
                }
                return sum;
            });
            parked.await();
            for (int i = 0; i < messages; i++) {
                awaitParkedOnAChannel(rt, receiver.pid(), receiverThread.get());
                ch.send(i); // from this platform thread
            }
            assertThat(receiver.join()).isEqualTo(6);
            trace.stop();
            JsonNode root = TraceTest.parse(trace);
            Map<Integer, String> names = laneNames(root);
            List<Arrow> outside = arrows(root).stream()
                    .filter(a -> a.cat.equals("outside") && a.to.pid().equals(receiver.pid().toString())).toList();
            // The spawn from this thread, then one wake-up per send.
            // (The receiver's last slice may still be running when join returns: stop waits for it.)
            assertThat(outside.stream().filter(a -> a.name.equals("wake")).count()).isEqualTo(messages);
            assertThat(outside.stream().filter(a -> a.name.equals("spawn")).count()).isEqualTo(1);
            assertThat(outside).allSatisfy(a -> assertThat(names.get(a.fromTid)).isEqualTo("outside"));
            assertThat(sourceEvents(root)).anySatisfy(e -> assertThat(e.get("args").get("thread").asText())
                    .isEqualTo("#" + Thread.currentThread().threadId()));

            // Each slice of the receiver that ended in a park names the channel.
            int named = 0;
            for (JsonNode e : root.get("traceEvents")) {
                if (e.get("ph").asText().equals("X") && e.get("cat").asText().equals("slice")
                        && e.get("args").get("pid").asText().equals(receiver.pid().toString())
                        && e.get("args").get("ended").asText().equals("park")) {
                    assertThat(e.get("args").get("blocker").asText()).startsWith("Channel#").contains("bounded(64)");
                    named++;
                }
            }
            assertThat(named).isGreaterThanOrEqualTo(messages);
            // The HTML tooltip says it too.
            StringBuilder html = new StringBuilder();
            trace.writeHtml(html);
            assertThat(html.toString()).contains("parked on Channel#").contains(">outside</text>");
        }
    }

    /**
     * A platform thread of the application whose name ends in "Poller" (a Kafka or SQS
     * consumer's, say) is no JDK socket poller: its spawns and sends come from the
     * outside lane, not the io lane (the JDK's pollers were told by that ending alone).
     */
    @Test
    void anApplicationThreadNamedLikeAPollerIsOutsideNotIo() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("trace-not-io").build())) {
            TraceRecording trace = rt.startTrace();
            AtomicReference<GreenHandle<Integer>> spawned = new AtomicReference<>();
            Thread consumer = new Thread(() -> spawned.set(rt.spawn(() -> 7)), "KafkaPoller");
            consumer.start();
            consumer.join(java.util.concurrent.TimeUnit.SECONDS.toMillis(20));
            assertThat(spawned.get().join(java.time.Duration.ofSeconds(20))).isEqualTo(7);
            trace.stop();
            List<JsonNode> sources = sourceEvents(TraceTest.parse(trace));
            assertThat(sources).isNotEmpty();
            assertThat(sources).allSatisfy(e -> assertThat(e.get("args").get("source").asText()).isEqualTo("outside"));
        }
    }

    /**
     * A park on a mutex an event actor's handler holds: the trace's holder is the actor,
     * as in snapshots, not the dispatcher green thread running the handler.
     */
    @Test
    void aMutexHeldInAnEventActorsHandlerIsHeldByTheActor() throws Exception {
        int rounds = 6;
        // One carrier, no spare: each waiter's parked slice is written before the main thread runs
        // again to release the mutex (with two, a carrier descheduled before writing it let the
        // release and the waiter run on the other first: the late slice names no holder).
        try (Verdant rt = Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).name("trace-actor-mutex").build())) {
            Mutex<int[]> m = new Mutex<>(new int[1]);
            Channel<Boolean> locked = Channel.rendezvous();
            Channel<Boolean> release = Channel.rendezvous();
            GreenHandle<Object> actor = Actors.spawner(rt).name("holder-actor").spawn(null, (s, msg) -> {
                try (var g = m.lock(Duration.ofSeconds(30))) {
                    g.get()[0]++;
                    locked.send(true);
                    release.receive();
                }
                return s;
            });
            TraceRecording trace = rt.startTrace();
            List<Pid> waiters = new ArrayList<>();
            rt.run(() -> {
                // Several rounds, as in aParkOnAMutexNamesTheMutex (a first slow path may pin).
                for (int r = 0; r < rounds; r++) {
                    Green.send(actor.pid(), "hold");
                    locked.receive();
                    GreenHandle<Void> waiter = Green.spawner().name("waiter").spawn(() -> {
                        try (var g = m.lock(Duration.ofSeconds(30))) {
                            g.get()[0]++;
                        }
                    });
                    waiters.add(waiter.pid());
                    while (waiter.state() != GreenState.WAITING) {
                        Green.yield();
                    }
                    release.send(true);
                    waiter.join();
                }
                return null;
            });
            trace.stop();
            JsonNode root = TraceTest.parse(trace);
            List<String> ids = waiters.stream().map(Pid::toString).toList();
            int named = 0;
            for (JsonNode e : root.get("traceEvents")) {
                if (e.get("ph").asText().equals("X") && e.get("cat").asText().equals("slice")
                        && ids.contains(e.get("args").get("pid").asText()) && e.get("args").has("holder")) {
                    assertThat(e.get("args").get("holder").asText()).isEqualTo(actor.pid().toString());
                    named++;
                }
            }
            // Every round's park names the actor (one round may be lost to a first slow path that
            // pins, as in aParkOnAMutexNamesTheMutex).
            assertThat(named).as("the waiters' parks name the holder").isGreaterThanOrEqualTo(rounds - 1);
            actor.cancel();
        }
    }

    @Test
    void aParkOnAMutexNamesTheMutex() throws Exception {
        int rounds = 3;
        // One carrier, no spare: each waiter's parked slice is written before the holder runs again
        // to unlock (with two, a carrier descheduled before writing it let the unlock and the waiter
        // run on the other first: that late slice names no blocker, by design).
        try (Verdant rt = Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).name("trace-mutex").build())) {
            TraceRecording trace = rt.startTrace();
            List<Pid> waiters = new ArrayList<>();
            rt.run(() -> {
                Mutex<int[]> m = new Mutex<>(new int[1]);
                // Several rounds: the first use of a slow path loads classes, and a green
                // thread that parks meanwhile may be pinned (it parks its carrier, ending no slice).
                for (int r = 0; r < rounds; r++) {
                    Channel<Boolean> locked = Channel.rendezvous();
                    GreenHandle<Void> holder = Green.spawner().name("holder").spawn(() -> {
                        try (var g = m.lock(Duration.ofSeconds(30))) {
                            g.get()[0]++;
                            locked.send(true);
                            Green.sleep(Duration.ofMillis(20));
                        }
                    });
                    locked.receive();
                    GreenHandle<Void> waiter = Green.spawner().name("waiter").spawn(() -> {
                        try (var g = m.lock(Duration.ofSeconds(30))) {
                            g.get()[0]++;
                        }
                    });
                    waiters.add(waiter.pid());
                    waiter.join();
                    holder.join();
                }
                return null;
            });
            trace.stop();
            JsonNode root = TraceTest.parse(trace);
            List<String> ids = waiters.stream().map(Pid::toString).toList();
            int named = 0;
            for (JsonNode e : root.get("traceEvents")) {
                if (e.get("ph").asText().equals("X") && e.get("cat").asText().equals("slice")
                        && ids.contains(e.get("args").get("pid").asText()) && e.get("args").has("blocker")) {
                    assertThat(e.get("args").get("blocker").asText()).matches("Mutex.lock #\\d+");
                    named++;
                }
            }
            assertThat(named).as("the waiters' parks name the mutex").isGreaterThanOrEqualTo(rounds - 1);
        }
    }

    @Test
    void aSocketReadWokenByTheJdkPollerIsAnArrowFromTheIoLane() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("trace-io").build());
             ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            TraceRecording trace = rt.startTrace();
            int rounds = 5;
            AtomicReference<Thread> readerThread = new AtomicReference<>();
            GreenHandle<Integer> reader = rt.spawn(() -> {
                readerThread.set(Thread.currentThread());
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                     InputStream in = s.getInputStream()) {
                    int sum = 0;
                    for (int i = 0; i < rounds; i++) {
                        sum += in.read();
                    }
                    return sum;
                }
            });
            try (Socket peer = server.accept(); OutputStream out = peer.getOutputStream()) {
                for (int i = 0; i < rounds; i++) {
                    // Let the reader block in read() (it parks on the poller), then write. Waiting in the
                    // snapshot sense is no proof that read() has parked yet; the virtual thread's own
                    // state reads WAITING only once it has unmounted, parked on the poller.
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (rt.snapshot().threads().stream().noneMatch(g -> g.pid().equals(reader.pid())
                            && g.state() == GreenState.WAITING)
                            || readerThread.get().getState() != Thread.State.WAITING) {
                        assertThat(System.nanoTime()).as("reader blocks").isLessThan(deadline);
                        Thread.sleep(1);
                    }
                    out.write(10);
                    out.flush();
                }
                assertThat(reader.join()).isEqualTo(10 * rounds);
            }
            trace.stop();
            JsonNode root = TraceTest.parse(trace);
            Map<Integer, String> names = laneNames(root);
            List<Arrow> io = arrows(root).stream()
                    .filter(a -> a.cat.equals("io") && a.to.pid().equals(reader.pid().toString())).toList();
            assertThat(io).as("the poller's wake-up of the reader").isNotEmpty();
            assertThat(io).allSatisfy(a -> assertThat(names.get(a.fromTid)).isEqualTo("io"));
        }
    }
}
