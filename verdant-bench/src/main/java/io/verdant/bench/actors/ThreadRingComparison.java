package io.verdant.bench.actors;

import io.verdant.bench.Comparison;
import io.verdant.bench.Report;

import java.util.List;

/**
 * Savina thread ring, a token passed around a ring of actors, 100 actors x 100,000 hops and 10,000 actors x 10,000,000 hops: verdant, pekko and vt-default at 1 and 2 workers (see {@link Savina}).
 * Prints the median nanoseconds per op of 5 measured runs after 2 warm-up runs.
 */
public final class ThreadRing implements Comparison {
    /** Hops of the long run: the 10,000,000 unless -Dverdant.bench.ringHops says otherwise. */
    static final long LONG_HOPS = Long.getLong("verdant.bench.ringHops", 10_000_000L);

    @Override
    public String name() {
        return "thread-ring";
    }

    @Override
    public String description() {
        return "Savina thread ring, a token passed around a ring of actors, 100 actors x 100,000 hops and 10,000 actors x 10,000,000 hops; verdant vs pekko vs vt-default (LinkedTransferQueue mailboxes), workers 1 and 2";
    }

    @Override
    public void run(Report report) throws Exception {
        Savina.compare(name(), List.of(new Savina.Params(Savina.Kind.RING, 100, 100_000), new Savina.Params(Savina.Kind.RING, 10_000, LONG_HOPS)), new int[] {1, 2}, 2, 5, report);
    }
}
