package io.verdant.bench.actors;

import java.util.List;

/**
 * Savina thread ring, a token passed around a ring of actors, 100 actors x 100,000 hops and 10,000 actors x 10,000,000 hops: verdant, verdant-event, pekko and vt-default at 1 and 2 workers (see {@link Savina}).
 * Runs on the harness ({@link SavinaComparison}): median nanoseconds per op of 5 measured rounds after 2 warm-ups, with CPU time.
 */
public final class ThreadRingComparison extends SavinaComparison {
    /** Hops of the long run: the 10,000,000 unless -Dbench.ringHops says otherwise. */
    static final long LONG_HOPS = Long.getLong("bench.ringHops", size(10_000_000));

    @Override
    public String name() {
        return "thread-ring";
    }

    @Override
    public String description() {
        return "Savina thread ring, a token passed around a ring of actors, 100 actors x 100,000 hops and 10,000 actors x 10,000,000 hops; verdant vs verdant-event vs pekko vs vt-default (LinkedTransferQueue mailboxes), workers 1 and 2";
    }

    @Override
    List<Savina.Params> params() {
        return List.of(new Savina.Params(Savina.Kind.RING, size(100), size(100_000)), new Savina.Params(Savina.Kind.RING, size(10_000), LONG_HOPS));
    }
}
