package io.verdant.test;

import io.verdant.Channel;
import io.verdant.ChannelClosedException;
import io.verdant.Config;
import io.verdant.Determinism;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Mutex;
import io.verdant.ScheduleTrace;
import io.verdant.Select;
import io.verdant.Supervisor;
import io.verdant.TimedOutException;
import io.verdant.Verdant;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A workload touching most of the runtime (channels of each kind, select with
 * a timeout, a mutex, selective receive, sleeps and timeouts, a supervisor
 * restart), run under one seed. {@code main(seed)} prints one line with its
 * trace and result, for {@link SameSeedAcrossJvmsTest}'s child JVMs.
 */
final class MixedWorkload {
    private static final Config QUIET = Config.builder().failureHandler((h, t) -> { }).build();
    /** Held here: java.util.logging keeps loggers weakly, and a collected one loses its level. */
    private static final Logger SUPERVISOR_LOG = Logger.getLogger("io.verdant.supervisor");

    private MixedWorkload() {
    }

    /**
     * Runs the workload once under {@code seed}.
     *
     * @return one line: the trace, then the workload's result
     */
    static String run(long seed) {
        try (Verdant rt = Verdant.deterministic(QUIET, Determinism.seed(seed))) {
            List<Object> result = rt.run(MixedWorkload::body);
            ScheduleTrace t = rt.trace();
            return "hash=0x" + Long.toHexString(t.hash()) + " steps=" + t.steps() + " virtual=" + t.virtualNanos()
                    + " result=" + result;
        }
    }

    public static void main(String[] args) {
        // Restart logging off: see BugFindingTest.
        SUPERVISOR_LOG.setLevel(Level.OFF);
        System.out.println("RUN " + run(Long.parseLong(args[0])));
    }

    static List<Object> body() {
        List<Object> log = new ArrayList<>();
        Channel<Integer> bounded = Channel.bounded(2);
        Channel<Integer> rendezvous = Channel.rendezvous();
        Channel<Integer> unbounded = Channel.unbounded();
        Mutex<int[]> total = new Mutex<>(new int[1]);
        List<GreenHandle<?>> hs = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            int base = p * 100;
            hs.add(Green.spawn(() -> {
                for (int i = 0; i < 5; i++) {
                    bounded.send(base + i);
                    if (i % 2 == 0) {
                        Green.sleep(Duration.ofMillis(i + base / 100 + 1));
                    }
                }
            }));
        }
        hs.add(Green.spawn(() -> {
            for (int i = 0; i < 15; i++) {
                int v = bounded.receive();
                try (Mutex.Guard<int[]> g = total.lock(Duration.ofSeconds(10))) {
                    g.get()[0] += v;
                }
                if (v % 2 == 0) {
                    rendezvous.send(v);
                } else {
                    unbounded.send(v);
                }
            }
            rendezvous.close();
            unbounded.close();
        }));
        hs.add(Green.spawn(() -> {
            for (int i = 0; i < 5; i++) {
                try (Mutex.Guard<int[]> g = total.lock(Duration.ofSeconds(10))) {
                    g.get()[0] += 1000;
                    Green.yield();
                }
            }
        }));
        GreenHandle<List<Object>> actor = Green.spawn(() -> {
            List<Object> got = new ArrayList<>();
            got.add(Green.receive(Integer.class));
            got.add(Green.receive(m -> m instanceof String s && s.startsWith("b")));
            got.add(Green.receive());
            try {
                got.add(Green.receive(Duration.ofMillis(5)));
            } catch (TimedOutException expected) {
                got.add("timed out at " + Green.nanoTime());
            }
            got.add(Green.random().nextInt(1_000_000));
            return got;
        });
        Green.send(actor.pid(), "a");
        Green.send(actor.pid(), "b");
        Green.send(actor.pid(), 7);
        AtomicInteger starts = new AtomicInteger();
        Supervisor sup = Supervisor.builder().intensity(3, Duration.ofSeconds(10))
                .child(Supervisor.ChildSpec.of("c", () -> {
                    starts.incrementAndGet();
                    if ("crash".equals(Green.receive())) {
                        throw new IllegalStateException("crash (expected by the test)");
                    }
                    return null;
                }))
                .start();
        Green.send(sup.child("c").orElseThrow(), "crash");
        boolean rOpen = true;
        boolean uOpen = true;
        while (rOpen || uOpen) {
            Select<Object> s = Select.create();
            if (rOpen) {
                s.onReceive(rendezvous, v -> (Object) ("r" + v));
            }
            if (uOpen) {
                s.onReceive(unbounded, v -> (Object) ("u" + v));
            }
            try {
                log.add(s.onTimeout(Duration.ofMillis(3), () -> "timeout").select());
            } catch (ChannelClosedException closed) {
                if (rOpen && rendezvous.isClosed()) {
                    rOpen = false;
                } else {
                    uOpen = false;
                }
            }
        }
        Green.joinAll(hs);
        log.add(actor.join());
        while (sup.restartCount() < 1) {
            Green.sleep(Duration.ofMillis(1));
        }
        sup.shutdown();
        log.add("starts=" + starts.get());
        try (Mutex.Guard<int[]> g = total.lock(Duration.ofSeconds(1))) {
            log.add("total=" + g.get()[0]);
        }
        log.add("t=" + Green.nanoTime());
        return log;
    }
}
