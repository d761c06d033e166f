package io.verdant.bench.actors;

import java.util.Map;

/**
 * Savina {@code chameneos} (a mall where creatures meet in pairs): a mall
 * (actor 0) and {@code c} chameneos (actors 1..c), each of a colour. A
 * chameneo asks the mall for a meeting; the mall holds the first asker and
 * pairs it with the next by forwarding the second's request to the first,
 * which takes the complementary colour, tells its partner (who takes it too)
 * and both ask again. After {@code m} meetings the mall answers every request
 * with an exit; each chameneo reports its meeting count and stops, and the mall
 * finishes the run when all have reported. Messages: about 4m.
 *
 * <p>Answer check: the meetings the chameneos counted sum to 2m (each meeting
 * is counted by both partners).
 */
final class SavinaChameneos implements SavinaWorkload {
    static final int MALL = 0;
    static final int FADED = 3;
    static final Object START = "start";
    static final Object EXIT = "exit";

    /** A request to meet, from chameneo {@code from} of colour {@code color}. */
    record Meet(int color, int from) {
    }

    /** The partner's new colour. */
    record Change(int color) {
    }

    /** A chameneo's meetings, sent when it exits. */
    record Count(long meetings) {
    }

    private final int c;
    private final long m;

    SavinaChameneos(int c, long m) {
        this.c = c;
        this.m = m;
    }

    @Override
    public int actors() {
        return c + 1;
    }

    @Override
    public Logic create(int index) {
        return index == MALL ? new Mall() : new Chameneo(index);
    }

    @Override
    public void start(Out out) {
        for (int i = 1; i <= c; i++) {
            out.send(i, START);
        }
    }

    @Override
    public Map<String, Double> check(Object result) {
        long sum = (Long) result;
        if (sum != 2 * m) {
            throw new AssertionError("chameneos: meetings sum to " + sum + ", expected " + 2 * m);
        }
        return Map.of();
    }

    /** Savina's complement: the same colour stays, two different ones give the third (0, 1, 2). */
    static int complement(int a, int b) {
        return a == b ? a : 3 - a - b;
    }

    private final class Chameneo implements Logic {
        private final int me;
        private int color;
        private long meetings;

        Chameneo(int me) {
            this.me = me;
            this.color = (me - 1) % 3;
        }

        @Override
        public boolean handle(Object msg, Out out) {
            if (msg instanceof Meet other) {
                color = complement(color, other.color());
                meetings++;
                out.send(other.from(), new Change(color));
                out.send(MALL, new Meet(color, me));
            } else if (msg instanceof Change ch) {
                color = ch.color();
                meetings++;
                out.send(MALL, new Meet(color, me));
            } else if (msg == START) {
                out.send(MALL, new Meet(color, me));
            } else if (msg == EXIT) {
                color = FADED;
                out.send(MALL, new Count(meetings));
                return true;
            } else {
                throw new AssertionError("chameneos: unexpected " + msg);
            }
            return false;
        }
    }

    private final class Mall implements Logic {
        private long left = m;
        private Meet waiting;
        private int faded;
        private long sum;

        @Override
        public boolean handle(Object msg, Out out) {
            if (msg instanceof Meet meet) {
                if (left == 0) {
                    out.send(meet.from(), EXIT);
                } else if (waiting == null) {
                    waiting = meet;
                } else {
                    left--;
                    out.send(waiting.from(), meet);
                    waiting = null;
                }
                return false;
            }
            Count count = (Count) msg;
            faded++;
            sum += count.meetings();
            if (faded < c) {
                return false;
            }
            out.finish(sum);
            return true;
        }
    }
}
