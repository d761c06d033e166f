package io.verdant.bench.actors;

import io.verdant.bench.Comparison;
import io.verdant.bench.Report;

import java.util.List;

/**
 * Savina counting, one producer actor sends 1,000,000 messages to one counter actor: verdant, pekko and vt-default at 1 and 2 workers (see {@link Savina}).
 * Prints the median nanoseconds per op of 5 measured runs after 2 warm-up runs.
 */
public final class Counting implements Comparison {
    @Override
    public String name() {
        return "counting";
    }

    @Override
    public String description() {
        return "Savina counting, one producer actor sends 1,000,000 messages to one counter actor; verdant vs pekko vs vt-default (LinkedTransferQueue mailboxes), workers 1 and 2";
    }

    @Override
    public void run(Report report) throws Exception {
        Savina.compare(name(), List.of(new Savina.Params(Savina.Kind.COUNTING, 2, 1_000_000)), new int[] {1, 2}, 2, 5, report);
    }
}
