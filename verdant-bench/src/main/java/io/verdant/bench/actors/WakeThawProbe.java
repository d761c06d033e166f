package io.verdant.bench.actors;

import java.io.FileWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * A driver for counting the JDK's thaws per woken receiver with perf uprobes
 * (docs/benchmarks.md, "Which frames"): builds {@code wake}'s Verdant and
 * vt-default systems ({@code mixed}: both in this JVM, as {@code
 * -Dbench.wake.jvm=shared} runs them; {@code alone}: only the measured one),
 * warms them with 10 rounds of 10,000 receivers, then runs {@code rounds}
 * rounds of 1,000,000 of each, alternating, and writes {@code enable} /
 * {@code disable} to a perf control fifo around the measured system's rounds
 * only ({@code perf stat -D -1 --control fifo:<fifo>}). Prints one line per
 * round with the process CPU per receiver (meaningless under probes).
 *
 * <pre>
 * java ... -cp benchmarks.jar io.verdant.bench.actors.WakeThawProbe verdant|vt mixed|alone &lt;fifo&gt; &lt;rounds&gt;
 * </pre>
 */
public final class WakeThawProbe {
    private WakeThawProbe() {
    }

    /**
     * Runs the probe.
     *
     * @param args measured system, mode, control fifo (or /dev/null), measured rounds
     * @throws Exception if a round fails
     */
    public static void main(String[] args) throws Exception {
        String which = args[0];
        boolean mixed = args[1].equals("mixed");
        String ctl = args[2];
        int rounds = Integer.parseInt(args[3]);
        int n = 1_000_000;
        boolean verdantMeasured = which.equals("verdant");
        WakeComparison.WakeSystem v = mixed || verdantMeasured
                ? new WakeComparison.VerdantWake(Runtime.getRuntime().availableProcessors()) : null;
        WakeComparison.WakeSystem t = mixed || !verdantMeasured ? new WakeComparison.VtWake() : null;
        for (int i = 0; i < WakeComparison.WARM_ROUNDS; i++) {
            if (v != null) {
                v.round(n / 100);
            }
            if (t != null) {
                t.round(n / 100);
            }
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int r = 0; r < rounds; r++) {
            for (int s = 0; s < 2; s++) {
                WakeComparison.WakeSystem sys = s == 0 ? v : t;
                if (sys == null) {
                    continue;
                }
                boolean on = (s == 0) == verdantMeasured;
                if (on) {
                    control(ctl, "enable");
                }
                long c0 = os.getProcessCpuTime();
                double[] res = sys.round(n);
                long c1 = os.getProcessCpuTime();
                if (on) {
                    control(ctl, "disable");
                }
                System.out.println(String.format(Locale.ROOT,
                        "PROBE %s round %d measured=%b send %.0f ns woken %.0f ms cpu/receiver %d ns",
                        s == 0 ? "verdant" : "vt-default", r, on, res[0], res[1], (c1 - c0) / n));
            }
        }
        if (v != null) {
            v.close();
        }
        System.exit(0);
    }

    private static void control(String fifo, String command) throws IOException, InterruptedException {
        try (FileWriter w = new FileWriter(fifo, java.nio.charset.StandardCharsets.UTF_8)) {
            w.write(command + "\n");
        }
        Thread.sleep(50); // perf applies the command asynchronously
    }
}
