package io.verdant.bench.actors;

import java.util.Map;

/**
 * Savina {@code philosophers} (dining philosophers with an arbitrator): an
 * arbitrator (actor 0) owns {@code p} forks; philosopher {@code i} (actors
 * 1..p) needs forks {@code i-1} and {@code i mod p}. A hungry philosopher asks
 * the arbitrator, which grants both forks (eat) or, if either is taken,
 * denies, and the philosopher asks again at once. After eating it gives the
 * forks back and sends itself a start message (through its own mailbox, as in
 * Savina) to ask again, until it has eaten {@code r} times; then it tells the
 * arbitrator it exits, with its meal and denial counts. The arbitrator
 * finishes the run when all {@code p} have exited.
 *
 * <p>Answer check: p * r meals granted by the arbitrator and p * r eaten by
 * the philosophers, and the denials the philosophers counted equal the
 * arbitrator's. The denial count is not part of the answer: it depends on the
 * order in which the system runs the philosophers, and every denial costs two
 * messages more. It is reported ({@code denials=} on the RESULT line), with
 * {@code switches=}: how often a grant went to another philosopher than the
 * previous grant, which tells a fair interleaving (many) from a run where each
 * philosopher eats all its rounds before the next starts (p switches).
 *
 * <p>Why the denial counts differ (issue 11; docs/benchmarks.md, "Scheduling
 * order and the philosophers' denials"; {@link PhilosophersOrder} prints the
 * order of a small run). A denial happens when a philosopher asks while a
 * neighbour holds a fork that was granted but whose Done the arbitrator has
 * not read yet: the granted philosopher is still queued. Any order that
 * interleaves the philosophers leaves grants queued like that, and denies
 * about one request per two meals at 1 worker: 500,009 for default virtual
 * threads' FIFO order (and Verdant's since issue 11), 500,018 for Verdant's
 * earlier order, in which a woken thread always ran next through the LIFO
 * slot. Pekko's 0 at 1 worker is a serial order, not a better one: the
 * driver's start messages are external submissions to the fork-join pool,
 * which its worker reads only when its local queue is empty, and the first
 * philosopher and the arbitrator keep it non-empty until the philosopher has
 * eaten all its rounds (20 switches). At 2 workers Pekko denies as much as
 * the others. The count that costs time for mailbox actors is dispatches: the
 * old LIFO order ran the arbitrator once per request (3.0M dispatches per run
 * at 1 worker), the FIFO order once per batch of requests (1.6M).
 */
final class SavinaPhilosophers implements SavinaWorkload {
    static final int ARBITRATOR = 0;
    static final Object START = "start";
    static final Object EAT = "eat";
    static final Object DENIED = "denied";

    /** Philosopher {@code id} (1..p) asks for its forks. */
    record Hungry(int id) {
    }

    /** Philosopher {@code id} gives its forks back. */
    record Done(int id) {
    }

    /** Philosopher {@code id} has eaten its rounds. */
    record Exit(int id, long meals, long denials) {
    }

    /** The run's answer, from the arbitrator. */
    record Result(long granted, long eaten, long denied, long deniedSeen, long switches) {
    }

    private final int p;
    private final long r;

    SavinaPhilosophers(int p, long r) {
        this.p = p;
        this.r = r;
    }

    @Override
    public int actors() {
        return p + 1;
    }

    @Override
    public Logic create(int index) {
        return index == ARBITRATOR ? new Arbitrator() : new Philosopher(index);
    }

    @Override
    public void start(Out out) {
        for (int i = 1; i <= p; i++) {
            out.send(i, START);
        }
    }

    @Override
    public Map<String, Double> check(Object result) {
        Result res = (Result) result;
        long meals = (long) p * r;
        if (res.granted() != meals || res.eaten() != meals || res.denied() != res.deniedSeen()) {
            throw new AssertionError("philosophers: " + res + ", expected " + meals + " meals");
        }
        return Map.of("denials", (double) res.denied(), "switches", (double) res.switches());
    }

    private final class Philosopher implements Logic {
        private final int me;
        private final Hungry hungry;
        private final Done done;
        private long meals;
        private long denials;

        Philosopher(int me) {
            this.me = me;
            this.hungry = new Hungry(me);
            this.done = new Done(me);
        }

        @Override
        public boolean handle(Object msg, Out out) {
            if (msg == START) {
                out.send(ARBITRATOR, hungry);
            } else if (msg == DENIED) {
                denials++;
                out.send(ARBITRATOR, hungry);
            } else if (msg == EAT) {
                meals++;
                out.send(ARBITRATOR, done);
                if (meals < r) {
                    out.send(me, START);
                } else {
                    out.send(ARBITRATOR, new Exit(me, meals, denials));
                    return true;
                }
            } else {
                throw new AssertionError("philosophers: unexpected " + msg);
            }
            return false;
        }
    }

    private final class Arbitrator implements Logic {
        private final boolean[] forks = new boolean[p];
        private long granted;
        private long denied;
        private int exited;
        private long eaten;
        private long deniedSeen;
        private int lastGranted;
        private long switches;

        @Override
        public boolean handle(Object msg, Out out) {
            if (msg instanceof Hungry h) {
                int left = h.id() - 1;
                int right = h.id() % p;
                if (forks[left] || forks[right]) {
                    denied++;
                    out.send(h.id(), DENIED);
                } else {
                    forks[left] = true;
                    forks[right] = true;
                    granted++;
                    if (h.id() != lastGranted) {
                        switches++;
                        lastGranted = h.id();
                    }
                    out.send(h.id(), EAT);
                }
            } else if (msg instanceof Done d) {
                forks[d.id() - 1] = false;
                forks[d.id() % p] = false;
            } else if (msg instanceof Exit e) {
                exited++;
                eaten += e.meals();
                deniedSeen += e.denials();
                if (exited == p) {
                    out.finish(new Result(granted, eaten, denied, deniedSeen, switches));
                    return true;
                }
            } else {
                throw new AssertionError("philosophers: unexpected " + msg);
            }
            return false;
        }
    }
}
