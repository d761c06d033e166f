package io.verdant.bench.actors;

import io.verdant.bench.Harness;
import io.verdant.bench.Report;
import io.verdant.bench.Trial;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Savina comparison on the harness: every {@link Savina#SYSTEMS system} at 1
 * and 2 workers for each of its {@link Savina.Params}, alternating, 2 warm-up
 * and 5 measured rounds; the median in the params' metric (ns_per_op for
 * pingpong, ring, counting; ms per run for the {@link SavinaWorkload}s) with
 * CPU time, and the medians of a run's secondary figures (philosophers:
 * {@code denials=}). The summary gives each Verdant system's ratio to Pekko
 * and to vt-default, and every system's denials where there are any.
 */
abstract class SavinaComparison extends Harness {
    private static final int[] WORKERS = {1, 2};

    /** @return the parameter sets this comparison runs */
    abstract List<Savina.Params> params();

    @Override
    protected int defaultWarmups() {
        return 2;
    }

    @Override
    protected int defaultRounds() {
        return 5;
    }

    @Override
    protected List<Entry> entries() {
        List<Entry> es = new ArrayList<>();
        for (int workers : WORKERS) {
            for (Savina.Params p : params()) {
                for (SavinaSystem sys : Savina.SYSTEMS) {
                    String id = sys.name() + "-w" + workers + "-" + p.label().replace(' ', '-');
                    List<String> extra = List.of("workers=" + workers, p.label().replace(' ', ','));
                    Trial.Factory f = () -> new SavinaTrial(sys.start(workers), p);
                    List<String> flags = sys.forkFlags(workers);
                    es.add(flags == null
                            ? local(id, name(), sys.name(), p.n(), p.metric(), extra, f)
                            : forked(id, name(), sys.name(), p.n(), p.metric(), extra, flags, f));
                }
            }
        }
        return es;
    }

    @Override
    protected void summarize(Report report, Map<String, Double> m) {
        for (int workers : WORKERS) {
            for (Savina.Params p : params()) {
                String suffix = "-w" + workers + "-" + p.label().replace(' ', '-');
                for (String mine : List.of("verdant", "verdant-event")) {
                    for (String peer : List.of("pekko", "vt-default")) {
                        plainRatio(report, name() + " " + mine + "/" + peer + " (" + workers + " workers, "
                                + p.label() + ")", m, mine + suffix, peer + suffix);
                    }
                }
                for (SavinaSystem sys : Savina.SYSTEMS) {
                    Double denials = m.get(sys.name() + suffix + "/denials");
                    if (denials != null) {
                        report.note(String.format(java.util.Locale.ROOT, "%s denials %s (%d workers, %s): %.0f"
                                + " (median of rounds)", name(), sys.name(), workers, p.label(), denials));
                    }
                }
            }
        }
    }

    /** One params on one started system; keeps the last run's secondary figures. */
    private static final class SavinaTrial implements Trial {
        private final SavinaSystem.Instance system;
        private final Savina.Params p;
        private Map<String, Double> extras = Map.of();

        SavinaTrial(SavinaSystem.Instance system, Savina.Params p) {
            this.system = system;
            this.p = p;
        }

        @Override
        public double run() throws Exception {
            Savina.Outcome o = system.run(p);
            extras = o.extras();
            return o.value();
        }

        @Override
        public Map<String, Double> extras() {
            return extras;
        }

        @Override
        public void close() {
            system.close();
        }
    }
}
