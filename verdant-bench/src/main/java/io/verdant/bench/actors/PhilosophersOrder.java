package io.verdant.bench.actors;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Pid;
import io.verdant.TraceRecording;
import io.verdant.Verdant;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Prints the order in which each system handles the messages of a small
 * {@link SavinaPhilosophers} run at 1 worker (issue 11: why the denial counts
 * differ). One line per handled message, {@code actor <- message}, in handling
 * order (every system runs one handler at a time at 1 worker, so the log is a
 * total order), then the run's denials and switches. For {@code verdant}
 * (green threads with mailboxes) it also records a scheduling trace and writes
 * it as Chrome JSON, whose slices say how each dispatch was found ({@code lifo}
 * slot or {@code local} queue): {@code -Dorder.trace=path}.
 *
 * <p>Not part of {@code Compare}: {@code java -cp benchmarks.jar
 * io.verdant.bench.actors.PhilosophersOrder verdant|pekko|vt|event [philosophers] [meals]}
 * (vt: run with {@code -Djdk.virtualThreadScheduler.parallelism=1}).
 */
public final class PhilosophersOrder {
    private PhilosophersOrder() {
    }

    /**
     * Runs one system and prints its message order.
     *
     * @param args system, philosophers (3), meals each (5)
     * @throws Exception if the run fails
     */
    public static void main(String[] args) throws Exception {
        String system = args.length > 0 ? args[0] : "verdant";
        int p = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        long r = args.length > 2 ? Long.parseLong(args[2]) : 5;
        List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
        SavinaWorkload wl = logged(new SavinaPhilosophers(p, r), log);
        Savina.Outcome out;
        switch (system) {
            case "verdant" -> {
                try (Verdant rt = Verdant.start(Config.builder().workers(1).name("order").build())) {
                    String path = System.getProperty("order.trace");
                    TraceRecording trace = path != null ? rt.startTrace() : null;
                    out = rt.run(() -> Savina.verdantWorkload(wl));
                    if (trace != null) {
                        trace.stop();
                        trace.writeChromeJson(Path.of(path));
                    }
                }
            }
            case "event" -> {
                try (Verdant rt = Verdant.start(Config.builder().workers(1).name("order").build())) {
                    out = rt.run(() -> SavinaEvent.workload(wl));
                }
            }
            case "pekko" -> {
                org.apache.pekko.actor.ActorSystem sys = Savina.pekko(1);
                try {
                    out = Savina.pekkoWorkload(sys, wl);
                } finally {
                    sys.terminate();
                }
            }
            case "vt" -> out = Savina.vtWorkload(wl);
            default -> throw new IllegalArgumentException("system: verdant, event, pekko or vt");
        }
        for (String line : log) {
            System.out.println(line);
        }
        Map<String, Double> extras = out.extras();
        System.out.printf("%s: denials=%.0f switches=%.0f messages=%d%n", system, extras.get("denials"),
                extras.get("switches"), log.size());
    }

    /** {@code wl} with every handled message appended to {@code log} before it is handled. */
    static SavinaWorkload logged(SavinaWorkload wl, List<String> log) {
        return new SavinaWorkload() {
            @Override
            public int actors() {
                return wl.actors();
            }

            @Override
            public Logic create(int index) {
                Logic l = wl.create(index);
                String who = index == SavinaPhilosophers.ARBITRATOR ? "A" : "P" + index;
                return (msg, out) -> {
                    log.add(who + " <- " + msg);
                    return l.handle(msg, out);
                };
            }

            @Override
            public void start(Out out) {
                wl.start(out);
            }

            @Override
            public Map<String, Double> check(Object result) {
                return wl.check(result);
            }
        };
    }
}
