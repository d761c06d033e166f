package io.verdant.bench.actors;

import java.util.List;

/**
 * Savina big: 120 actors each send 20,000 pings, one at a time, to actors picked at random, 4.8M messages (Savina's defaults).
 * On every {@link Savina#SYSTEMS system} at 1 and 2 workers, with the same
 * answer check ({@link SavinaBig}). Runs on the harness ({@link SavinaComparison}):
 * median milliseconds per run of 5 measured rounds after 2 warm-ups, with CPU
 * time. Sizes: {@code -Dbench.big.actors} and {@code -Dbench.big.pings} (tiny under {@code bench.smoke}).
 */
public final class BigComparison extends SavinaComparison {
    @Override
    public String name() {
        return "big";
    }

    @Override
    public String description() {
        return "Savina big, 120 actors each sending 20,000 pings to random actors and waiting for each pong (4.8M messages); verdant vs verdant-event vs pekko vs vt-default (ArrayBlockingQueue mailboxes), workers 1 and 2; checks every pong's origin and the pong total";
    }

    @Override
    List<Savina.Params> params() {
        return List.of(new Savina.Params(Savina.Kind.BIG, size("bench.big.actors", 120), size("bench.big.pings", 20_000)));
    }
}
