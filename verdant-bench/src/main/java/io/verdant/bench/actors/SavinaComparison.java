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
 * and 5 measured rounds; ns_per_op (median) with CPU time.
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
                            ? local(id, name(), sys.name(), p.n(), "ns_per_op", extra, f)
                            : forked(id, name(), sys.name(), p.n(), "ns_per_op", extra, flags, f));
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
                for (SavinaSystem sys : Savina.SYSTEMS) {
                    if (!sys.name().equals("verdant")) {
                        plainRatio(report, name() + " verdant/" + sys.name() + " (" + workers + " workers, "
                                + p.label() + ")", m, "verdant" + suffix, sys.name() + suffix);
                    }
                }
            }
        }
    }

    /** One params on one started system. */
    private record SavinaTrial(SavinaSystem.Instance system, Savina.Params p) implements Trial {
        @Override
        public double run() throws Exception {
            return system.run(p);
        }

        @Override
        public void close() {
            system.close();
        }
    }
}
