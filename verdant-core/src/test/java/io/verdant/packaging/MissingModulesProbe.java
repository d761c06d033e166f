package io.verdant.packaging;

import io.verdant.Channel;
import io.verdant.Config;
import io.verdant.DumpOptions;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Mutex;
import io.verdant.Pid;
import io.verdant.Verdant;

import java.time.Duration;

/**
 * Main of the child JVMs of {@link MissingModulesTest}: a JVM whose boot layer lacks
 * modules Verdant can do without (jdk.jfr, java.logging; java.management on the
 * class path). {@code -Dprobe.case=jmx} asks for the MXBean (java.management absent,
 * or an MBean server that refuses it); {@code run} uses the features that touch optional modules. Prints what happened;
 * exit 0 unless the probe itself broke.
 */
public final class MissingModulesProbe {
    private MissingModulesProbe() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("modules: jfr=" + ModuleLayer.boot().findModule("jdk.jfr").isPresent()
                + " management=" + ModuleLayer.boot().findModule("java.management").isPresent()
                + " logging=" + ModuleLayer.boot().findModule("java.logging").isPresent());
        switch (System.getProperty("probe.case")) {
            case "jmx" -> jmx();
            case "run" -> run(Boolean.getBoolean("probe.jmx"));
            default -> throw new IllegalArgumentException(System.getProperty("probe.case"));
        }
        System.out.println("probe done");
        System.exit(0);
    }

    /** Verdant.start with jmx(true) that cannot register the bean: the failure, then whether it left threads. */
    private static void jmx() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().name("nomgmt").workers(2).jmx(true).build())) {
            System.out.println("started unexpectedly: " + rt);
        } catch (Throwable t) {
            System.out.println("start failed: " + t);
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        long left;
        do {
            left = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("nomgmt")).count();
        } while (left > 0 && System.nanoTime() < deadline && sleptBriefly());
        System.out.println("threads left: " + left);
        run(false);
    }

    private static boolean sleptBriefly() throws InterruptedException {
        Thread.sleep(20); // polling for threads to end: nothing to wait on from outside
        return true;
    }

    /** Green threads, a channel, a contended mutex, a dead letter, a dump and the flight recorder. */
    private static void run(boolean jmx) throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).jmx(jmx).flightRecorder(1 << 16).build())) {
            int sum = rt.run(() -> {
                Channel<Integer> ch = Channel.bounded(4);
                GreenHandle<Integer> adder = Green.spawn(() -> {
                    int t = 0;
                    for (Integer i : ch) {
                        t += i;
                    }
                    return t;
                });
                for (int i = 1; i <= 100; i++) {
                    ch.send(i);
                }
                ch.close();
                Mutex<int[]> m = new Mutex<>(new int[1]);
                java.util.List<GreenHandle<Void>> hs = new java.util.ArrayList<>();
                for (int k = 0; k < 4; k++) {
                    hs.add(Green.spawn(() -> {
                        for (int j = 0; j < 100; j++) {
                            try (Mutex.Guard<int[]> g = m.lock(Duration.ofSeconds(10))) {
                                g.get()[0]++;
                                Green.yield();
                            }
                        }
                    }));
                }
                for (GreenHandle<Void> h : hs) {
                    h.join();
                }
                try (Mutex.Guard<int[]> g = m.lock(Duration.ofSeconds(10))) {
                    return adder.join() + g.get()[0];
                }
            });
            System.out.println("sum=" + sum);
            Pid gone = rt.spawn(() -> { }).pid();
            rt.handle(gone).ifPresent(GreenHandle::join);
            rt.send(gone, "letter");
            StringBuilder dump = new StringBuilder();
            rt.dump(dump, DumpOptions.json());
            System.out.println("dump " + (dump.length() > 0));
            System.out.println("dead letters " + rt.deadLetterCount());
            System.out.println("flight " + (rt.flightRecording().events() > 0));
        }
    }
}
