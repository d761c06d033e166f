package io.verdant.bench.actors;

import java.util.ArrayDeque;
import java.util.Map;

/**
 * Savina {@code bndbuffer} (producer-consumer with a bounded buffer): a
 * manager (actor 0), {@code k} producers (actors 1..k) and {@code k} consumers
 * (actors k+1..2k). A producer makes an item, sends it to the manager and
 * waits to be asked for the next; the manager hands each item to an idle
 * consumer or buffers it, asks the producer for another while its buffer holds
 * fewer than {@code BUFFER - k} items (Savina's adjusted buffer size), and
 * otherwise keeps the producer waiting until a consumer frees room. A consumer
 * consumes the item and tells the manager it is available again. When every
 * producer has made its {@code n} items and every consumer is idle, the
 * manager tells the consumers to exit; each reports what it consumed, and the
 * manager finishes the run when all have. Messages: about 4 per item.
 *
 * <p>Items are the numbers 0 .. k*n - 1 (producer i makes (i-1)*n .. i*n - 1).
 * Making and consuming an item each cost {@link #COST} steps of a linear
 * congruential generator: Savina's 25 x 100 logarithms per item would make
 * this a benchmark of {@code Math.log}, and this one compares message passing.
 *
 * <p>Answer check: the consumers together saw k*n items whose sum and sum of
 * squares are those of 0 .. k*n - 1 (every item consumed exactly once). The
 * sum of squares is kept in a long, so it is compared modulo 2^64 (it wraps
 * past about 3 million items).
 */
final class SavinaBndBuffer implements SavinaWorkload {
    /** Savina's buffer size (50 with 40 producers: an adjusted size of 10). */
    static final int BUFFER = 50;
    /** Work per item made or consumed, in generator steps (see the class comment). */
    static final int COST = 25;
    static final int MANAGER = 0;
    static final Object START = "start";
    static final Object PRODUCE = "produce";
    static final Object PRODUCER_EXIT = "producer-exit";
    static final Object CONSUMER_EXIT = "consumer-exit";

    /** An item, from producer {@code producer}. */
    record DataItem(long value, int producer) {
    }

    /** Consumer {@code consumer} is idle. */
    record Available(int consumer) {
    }

    /** What one consumer consumed. */
    record Stats(long count, long sum, long sumOfSquares, long work) {
    }

    private final int k;
    private final long n;

    SavinaBndBuffer(int k, long n) {
        this.k = k;
        this.n = n;
    }

    @Override
    public int actors() {
        return 2 * k + 1;
    }

    @Override
    public Logic create(int index) {
        if (index == MANAGER) {
            return new Manager();
        }
        return index <= k ? new Producer(index) : new Consumer(index);
    }

    @Override
    public void start(Out out) {
        for (int i = 1; i <= 2 * k; i++) {
            out.send(i, i <= k ? PRODUCE : START);
        }
    }

    @Override
    public Map<String, Double> check(Object result) {
        Stats s = (Stats) result;
        long items = k * n;
        long sum = items * (items - 1) / 2;
        java.math.BigInteger sq = java.math.BigInteger.valueOf(items - 1).multiply(java.math.BigInteger.valueOf(items))
                .multiply(java.math.BigInteger.valueOf(2 * items - 1)).divide(java.math.BigInteger.valueOf(6));
        if (s.count() != items || s.sum() != sum || sq.longValue() != s.sumOfSquares()) {
            throw new AssertionError("bndbuffer: consumed " + s + ", expected count " + items + " sum " + sum
                    + " sum of squares " + sq);
        }
        return Map.of();
    }

    /** COST steps of a linear congruential generator from {@code x} (the simulated work). */
    static long work(long x) {
        for (int i = 0; i < COST; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        return x;
    }

    private final class Producer implements Logic {
        private final int me;
        private long made;
        private long acc;

        Producer(int me) {
            this.me = me;
            this.acc = me;
        }

        @Override
        public boolean handle(Object msg, Out out) {
            if (msg != PRODUCE) {
                throw new AssertionError("bndbuffer: unexpected " + msg);
            }
            if (made == n) {
                out.send(MANAGER, PRODUCER_EXIT);
                return true;
            }
            acc = work(acc);
            out.send(MANAGER, new DataItem((me - 1) * n + made, me));
            made++;
            return false;
        }
    }

    private final class Consumer implements Logic {
        private final Available available;
        private long count;
        private long sum;
        private long sumOfSquares;
        private long acc;

        Consumer(int me) {
            this.available = new Available(me);
            this.acc = me;
        }

        @Override
        public boolean handle(Object msg, Out out) {
            if (msg instanceof DataItem d) {
                count++;
                sum += d.value();
                sumOfSquares += d.value() * d.value();
                acc = work(acc + d.value());
                out.send(MANAGER, available);
            } else if (msg == START) {
                out.send(MANAGER, available);
            } else if (msg == CONSUMER_EXIT) {
                out.send(MANAGER, new Stats(count, sum, sumOfSquares, acc));
                return true;
            } else {
                throw new AssertionError("bndbuffer: unexpected " + msg);
            }
            return false;
        }
    }

    private final class Manager implements Logic {
        private final int adjusted = Math.max(1, BUFFER - k);
        private final ArrayDeque<DataItem> pending = new ArrayDeque<>();
        private final ArrayDeque<Integer> idleConsumers = new ArrayDeque<>();
        private final ArrayDeque<Integer> waitingProducers = new ArrayDeque<>();
        private int producersExited;
        private boolean exitSent;
        private int reported;
        private long count;
        private long sum;
        private long sumOfSquares;
        private long work;

        @Override
        public boolean handle(Object msg, Out out) {
            if (msg instanceof DataItem d) {
                Integer consumer = idleConsumers.poll();
                if (consumer == null) {
                    pending.add(d);
                } else {
                    out.send(consumer, d);
                }
                if (pending.size() >= adjusted) {
                    waitingProducers.add(d.producer());
                } else {
                    out.send(d.producer(), PRODUCE);
                }
            } else if (msg instanceof Available a) {
                DataItem d = pending.poll();
                if (d == null) {
                    idleConsumers.add(a.consumer());
                    tryExit(out);
                } else {
                    out.send(a.consumer(), d);
                    Integer producer = waitingProducers.poll();
                    if (producer != null) {
                        out.send(producer, PRODUCE);
                    }
                }
            } else if (msg == PRODUCER_EXIT) {
                producersExited++;
                tryExit(out);
            } else if (msg instanceof Stats s) {
                reported++;
                count += s.count();
                sum += s.sum();
                sumOfSquares += s.sumOfSquares();
                work ^= s.work();
                if (reported == k) {
                    out.finish(new Stats(count, sum, sumOfSquares, work));
                    return true;
                }
            } else {
                throw new AssertionError("bndbuffer: unexpected " + msg);
            }
            return false;
        }

        private void tryExit(Out out) {
            if (!exitSent && producersExited == k && idleConsumers.size() == k) {
                exitSent = true;
                for (int i = k + 1; i <= 2 * k; i++) {
                    out.send(i, CONSUMER_EXIT);
                }
            }
        }
    }
}
