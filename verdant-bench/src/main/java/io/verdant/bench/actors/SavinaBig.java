package io.verdant.bench.actors;

import java.util.Map;

/**
 * Savina {@code big} (many-to-many message passing): {@code w} actors; each
 * sends {@code n} pings, one at a time, each to an actor it picks at random
 * (itself included, as in Savina), and waits for the pong before the next.
 * Every actor answers every ping it receives. An actor that has had its
 * {@code n} pongs tells the sink (actor {@code w}); when all have, the sink
 * finishes the run and stops them. Messages: 2 * w * n.
 *
 * <p>Answer check: every pong comes from the actor that was pinged (checked on
 * arrival, as Savina's {@code expPinger}), and the pongs total {@code w * n}.
 * Each actor's random sequence is a fixed xorshift seeded by its number, so
 * every system sends the same pings to the same actors.
 */
final class SavinaBig implements SavinaWorkload {
    static final Object START = "start";
    static final Object STOP = "stop";

    /** A ping from actor {@code from}. */
    record Ping(int from) {
    }

    /** A pong from actor {@code from}. */
    record Pong(int from) {
    }

    /** Actor {@code from} has had all its pongs. */
    record Done(int from, long pongs) {
    }

    private final int w;
    private final long n;

    SavinaBig(int w, long n) {
        this.w = w;
        this.n = n;
    }

    @Override
    public int actors() {
        return w + 1;
    }

    @Override
    public Logic create(int index) {
        return index == w ? new Sink() : new Big(index);
    }

    @Override
    public void start(Out out) {
        for (int i = 0; i < w; i++) {
            out.send(i, START);
        }
    }

    @Override
    public Map<String, Double> check(Object result) {
        long pongs = (Long) result;
        if (pongs != (long) w * n) {
            throw new AssertionError("big: " + pongs + " pongs, expected " + (long) w * n);
        }
        return Map.of();
    }

    /** One of the w actors. */
    private final class Big implements Logic {
        private final int me;
        private final Ping ping;
        private final Pong pong;
        private int seed;
        private long sent;
        private long pongs;
        private int expected = -1;

        Big(int me) {
            this.me = me;
            this.ping = new Ping(me);
            this.pong = new Pong(me);
            this.seed = me * 0x9E3779B9 + 1;
        }

        @Override
        public boolean handle(Object msg, Out out) {
            if (msg instanceof Ping p) {
                out.send(p.from(), pong);
            } else if (msg instanceof Pong p) {
                if (p.from() != expected) {
                    throw new AssertionError("big: actor " + me + " got a pong from " + p.from()
                            + ", expected one from " + expected);
                }
                expected = -1;
                pongs++;
                if (sent == n) {
                    out.send(w, new Done(me, pongs));
                } else {
                    pingNext(out);
                }
            } else if (msg == START) {
                pingNext(out);
            } else if (msg == STOP) {
                return true;
            } else {
                throw new AssertionError("big: unexpected " + msg);
            }
            return false;
        }

        private void pingNext(Out out) {
            int x = seed;
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            seed = x;
            expected = (x & Integer.MAX_VALUE) % w;
            sent++;
            out.send(expected, ping);
        }
    }

    /** Actor w: counts the finished actors, then finishes the run and stops them. */
    private final class Sink implements Logic {
        private int finished;
        private long pongs;

        @Override
        public boolean handle(Object msg, Out out) {
            Done d = (Done) msg;
            finished++;
            pongs += d.pongs();
            if (finished < w) {
                return false;
            }
            out.finish(pongs);
            for (int i = 0; i < w; i++) {
                out.send(i, STOP);
            }
            return true;
        }
    }
}
