package io.verdant.bench.actors;

import java.util.List;

/**
 * Savina counting, one producer actor sends 1,000,000 messages to one counter actor: verdant, verdant-event, pekko and vt-default at 1 and 2 workers (see {@link Savina}).
 * Runs on the harness ({@link SavinaComparison}): median nanoseconds per op of 5 measured rounds after 2 warm-ups, with CPU time.
 */
public final class CountingComparison extends SavinaComparison {
    @Override
    public String name() {
        return "counting";
    }

    @Override
    public String description() {
        return "Savina counting, one producer actor sends 1,000,000 messages to one counter actor; verdant vs verdant-event vs pekko vs vt-default (LinkedTransferQueue mailboxes), workers 1 and 2";
    }

    @Override
    List<Savina.Params> params() {
        return List.of(new Savina.Params(Savina.Kind.COUNTING, 2, size(1_000_000)));
    }
}
