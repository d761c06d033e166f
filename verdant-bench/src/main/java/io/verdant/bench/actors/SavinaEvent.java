package io.verdant.bench.actors;

import io.verdant.Actors;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Pid;
import io.verdant.Verdant;

import java.util.ArrayList;
import java.util.List;

/**
 * The Savina workloads of {@link Savina} on Verdant's event actors
 * ({@code system=verdant-event}): each actor is an {@link Actors} behavior run
 * by dispatcher green threads, not a green thread of its own. Same parameters,
 * same message objects and the same answer checks as the other systems; the
 * driver (the side that starts the clock and waits for the answer) is a green
 * thread, as in {@code system=verdant}.
 */
final class SavinaEvent {
    private SavinaEvent() {
    }

    static Savina.Outcome run(Verdant rt, Savina.Params p) {
        return rt.run(() -> switch (p.kind()) {
            case PINGPONG -> Savina.Outcome.of(pingPong(p.n()));
            case RING -> Savina.Outcome.of(ring(p.actors(), p.n()));
            case COUNTING -> Savina.Outcome.of(counting(p.n()));
            default -> workload(SavinaWorkload.of(p));
        });
    }

    /**
     * A {@link SavinaWorkload} on event actors: one {@link Actors#spawn event
     * actor} per logic, its state the logic; sends are {@link Green#send} as in
     * {@code system=verdant} (the same {@code Out}), and the driver is a green
     * thread timing from the initial sends to the result in its mailbox.
     */
    static Savina.Outcome workload(SavinaWorkload wl) {
        int k = wl.actors();
        Pid driver = Green.self();
        Pid[] pids = new Pid[k];
        // Written before any message is sent; a handler reads it only for a
        // message that was sent after it.
        SavinaWorkload.Out out = new SavinaWorkload.Out() {
            @Override
            public void send(int to, Object msg) {
                Green.send(pids[to], msg);
            }

            @Override
            public void finish(Object result) {
                Green.send(driver, new Savina.Finished(result));
            }
        };
        List<GreenHandle<SavinaWorkload.Logic>> hs = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            GreenHandle<SavinaWorkload.Logic> h = Actors.spawn(wl.create(i), (logic, m) -> {
                if (SavinaWorkload.step(logic, m, out)) {
                    Actors.stop();
                }
                return logic;
            });
            pids[i] = h.pid();
            hs.add(h);
        }
        long t0 = System.nanoTime();
        wl.start(out);
        Object result = ((Savina.Finished) Green.receive(
                java.time.Duration.ofMinutes(Savina.WORKLOAD_TIMEOUT_MINUTES))).result();
        long t = System.nanoTime() - t0;
        SavinaWorkload.unwrap(result);
        Green.joinAll(hs);
        return new Savina.Outcome(t / 1e6, wl.check(result));
    }

    /** Ping's state: round trips left. */
    private static final class PingState {
        long left;
        Pid pong;
    }

    private static double pingPong(long n) {
        Pid main = Green.self();
        GreenHandle<Object> pong = Actors.spawn(null, (s, m) -> {
            if (m == Savina.STOP) {
                Actors.stop();
            } else {
                Green.send((Pid) m, Savina.PONG);
            }
            return s;
        });
        PingState st = new PingState();
        st.pong = pong.pid();
        GreenHandle<PingState> ping = Actors.spawn(st, (s, m) -> {
            if (m == Savina.STOP) {
                Actors.stop();
            } else if (m == Savina.START || --s.left > 0) {
                Green.send(s.pong, Green.self());   // the ping carries its reply address
            } else {
                Green.send(main, Savina.DONE);
            }
            return s;
        });
        st.left = n;
        long t0 = System.nanoTime();
        Green.send(ping.pid(), Savina.START);
        Object done = Green.receive();
        long t = System.nanoTime() - t0;
        if (done != Savina.DONE || st.left != 0) {
            throw new AssertionError("pingpong ended with " + st.left + " round trips left");
        }
        Green.send(ping.pid(), Savina.STOP);
        Green.send(pong.pid(), Savina.STOP);
        ping.join();
        pong.join();
        return (double) t / n;
    }

    private static double ring(int actors, long hops) {
        Pid main = Green.self();
        List<GreenHandle<Pid>> ring = new ArrayList<>(actors);
        for (int i = 0; i < actors; i++) {
            ring.add(Actors.spawn((Pid) null, (Pid next, Object m) -> {
                if (m instanceof Pid p) {
                    return p;
                }
                if (m == Savina.STOP) {
                    Actors.stop();
                    return next;
                }
                int left = (Integer) m;
                if (left == 0) {
                    Green.send(main, Savina.DONE);
                } else {
                    Green.send(next, left - 1);
                }
                return next;
            }));
        }
        for (int i = 0; i < actors; i++) {
            Green.send(ring.get(i).pid(), ring.get((i + 1) % actors).pid());
        }
        // Every next pid is set before the token arrives: per-sender order into each mailbox.
        long t0 = System.nanoTime();
        Green.send(ring.get(0).pid(), (int) hops);
        Object done = Green.receive();
        long t = System.nanoTime() - t0;
        if (done != Savina.DONE) {
            throw new AssertionError("ring ended with " + done);
        }
        for (GreenHandle<Pid> a : ring) {
            Green.send(a.pid(), Savina.STOP);
        }
        for (GreenHandle<Pid> a : ring) {
            a.join();
        }
        return (double) t / hops;
    }

    private static double counting(long n) {
        long[] count = new long[1];
        GreenHandle<long[]> counter = Actors.spawn(count, (c, m) -> {
            if (m == Savina.INC) {
                c[0]++;
            } else if (m instanceof Savina.Get g) {
                Green.send((Pid) g.replyTo(), c[0]);
                Actors.stop();
            }
            return c;
        });
        Pid c = counter.pid();
        long t0 = System.nanoTime();
        for (long i = 0; i < n; i++) {
            Green.send(c, Savina.INC);
        }
        Green.send(c, new Savina.Get(Green.self()));
        long got = (Long) Green.receive();
        long t = System.nanoTime() - t0;
        counter.join();
        if (got != n) {
            throw new AssertionError("counted " + got + " of " + n);
        }
        return (double) t / n;
    }
}
