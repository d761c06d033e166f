package io.verdant.bench;

import io.verdant.bench.net.EchoComparison;
import io.verdant.bench.net.HttpComparison;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The comparison runner: {@code Compare <bench>...} runs the named comparisons
 * (all of them with {@code all}) and prints RESULT lines. See BENCHMARKS.md.
 * A comparison that throws ends the JVM with status 1 after printing why: a
 * peer's non-daemon threads (Pekko's dispatcher after a failed run) must not
 * keep a failed run alive until someone kills it.
 */
public final class Compare {
    private Compare() {
    }

    /** Every comparison, by name. Add new ones here. */
    static Map<String, Comparison> registry() {
        Map<String, Comparison> m = new LinkedHashMap<>();
        for (Comparison c : List.<Comparison>of(
                new YieldComparison(),
                new SpawnComparison(),
                new SkynetComparison(),
                new PrimesComparison(),
                new ParkedComparison(),
                new PingPongComparison(),
                new RingComparison(),
                new MpmcComparison(),
                new MutexComparison(),
                new SleepersComparison(),
                new DeterminismComparison(),
                new io.verdant.bench.actors.ActorPingPongComparison(),
                new io.verdant.bench.actors.ThreadRingComparison(),
                new io.verdant.bench.actors.CountingComparison(),
                new io.verdant.bench.actors.WakeComparison(),
                new io.verdant.bench.actors.BigComparison(),
                new io.verdant.bench.actors.ChameneosComparison(),
                new io.verdant.bench.actors.PhilosophersComparison(),
                new io.verdant.bench.actors.BndBufferComparison(),
                new EventSpawnBench(),
                new EventMixedBench(),
                new PreemptLatencyComparison(),
                new StallComparison(),
                new ObservabilityCost.Metrics(),
                new ObservabilityCost.Trace(),
                new HttpComparison(),
                new EchoComparison())) {
            m.put(c.name(), c);
        }
        return m;
    }

    public static void main(String[] args) throws Exception {
        Map<String, Comparison> all = registry();
        if (args.length == 0) {
            System.out.println("usage: Compare <bench>... | all");
            all.values().forEach(c -> System.out.println("  " + c.name() + "  " + c.description()));
            return;
        }
        List<String> names = args.length == 1 && args[0].equals("all") ? List.copyOf(all.keySet()) : List.of(args);
        Report report = new Report();
        for (String name : names) {
            Comparison c = all.get(name);
            if (c == null) {
                System.err.println("unknown benchmark '" + name + "'; known: " + all.keySet());
                System.exit(2);
            }
            report.note(c.name() + ": " + c.description());
            try {
                c.run(report);
            } catch (Throwable t) {
                System.out.flush();
                System.err.println("# " + c.name() + " failed:");
                t.printStackTrace();
                System.exit(1);
            }
        }
    }
}
