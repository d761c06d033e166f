package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A seed replays with the same schedule when the user turns on something to
 * see more while debugging: a runtime name, time slice, stall threshold,
 * blocking pool, CPU timing, JMX, the flight recorder,
 * snapshots, metrics and dumps taken by the test body. Compared as
 * {@link ReplayAcrossMachinesTest} does: trace hash, steps, virtual time and
 * the body's result, for a few seeds.
 */
@Timeout(60)
@org.junit.jupiter.api.extension.ExtendWith(DetRuns.QuietRestartLog.class)
class ReplayUnderInstrumentationTest {
    private static final int SEEDS = 3;

    static String runSeeds(Config config, Consumer<Verdant> inBody) {
        StringBuilder sb = new StringBuilder();
        for (long seed = 0; seed < SEEDS; seed++) {
            try (Verdant rt = Verdant.deterministic(config, Determinism.seed(seed))) {
                Callable<List<Object>> body = () -> {
                    inBody.accept(rt);
                    List<Object> r = ReplayAcrossMachinesTest.body();
                    inBody.accept(rt);
                    return r;
                };
                List<Object> result = rt.run(body);
                ScheduleTrace t = rt.trace();
                sb.append("seed=").append(seed).append(" hash=0x").append(Long.toHexString(t.hash())).append(" steps=")
                        .append(t.steps()).append(" virtual=").append(t.virtualNanos()).append(' ').append(result)
                        .append('\n');
            }
        }
        return sb.toString();
    }

    private static Config.Builder quiet() {
        return Config.builder().failureHandler((h, t) -> { });
    }

    @Test
    void configSwitchesThatDeterministicModeIgnoresKeepTheSchedule() {
        String base = runSeeds(quiet().build(), rt -> { });
        assertThat(runSeeds(quiet().name("debugging").build(), rt -> { })).as("name").isEqualTo(base);
        assertThat(runSeeds(quiet().timeslice(Duration.ofMillis(1)).stallThreshold(Duration.ofMillis(5)).build(),
                rt -> { })).as("timeslice/stall").isEqualTo(base);
        assertThat(runSeeds(quiet().cpuTiming(true).build(), rt -> { })).as("cpuTiming").isEqualTo(base);
        assertThat(runSeeds(quiet().jmx(true).build(), rt -> { })).as("jmx").isEqualTo(base);
        assertThat(runSeeds(quiet().flightRecorder(1 << 16).build(), rt -> { })).as("flight recorder").isEqualTo(base);
    }

    @Test
    void theFlightRecordingOfADeterministicRuntimeIsRefusedSayingWhy() {
        try (Verdant rt = Verdant.deterministic(quiet().flightRecorder(1 << 16).build(), Determinism.seed(1))) {
            rt.run(() -> Green.spawn(Green::yield).join());
            org.assertj.core.api.Assertions.assertThatThrownBy(rt::flightRecording)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is deterministic")
                    .hasMessageNotContaining("start it with Config.builder().flightRecorder");
        }
    }

    @Test
    void aJfrRecordingOfEveryVerdantEventKeepsTheSchedule() throws Exception {
        String base = runSeeds(quiet().build(), rt -> { });
        try (jdk.jfr.Recording rec = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"))) {
            for (String e : List.of("Preemption", "MutexWait", "DeadLetter", "SupervisorRestart", "SupervisorGaveUp",
                    "GreenThreadStart", "GreenThreadEnd", "RuntimeStatistics", "WorkerStatistics")) {
                rec.enable("io.verdant." + e).withoutThreshold().withStackTrace();
            }
            rec.start();
            assertThat(runSeeds(quiet().build(), rt -> { })).as("JFR on").isEqualTo(base);
        }
    }

    @Test
    void logsAtTheFinestLevelKeepTheSchedule() {
        Config logging = Config.builder().build(); // no failure handler: failures are logged
        String base = runSeeds(logging, rt -> { });
        java.util.logging.Logger verdant = java.util.logging.Logger.getLogger("io.verdant");
        java.util.logging.Level before = verdant.getLevel();
        boolean parents = verdant.getUseParentHandlers();
        java.util.concurrent.atomic.AtomicInteger records = new java.util.concurrent.atomic.AtomicInteger();
        java.util.logging.Handler count = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                records.incrementAndGet();
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        count.setLevel(java.util.logging.Level.ALL);
        verdant.setLevel(java.util.logging.Level.ALL);
        verdant.setUseParentHandlers(false);
        verdant.addHandler(count);
        try {
            assertThat(runSeeds(logging, rt -> { })).as("io.verdant at ALL").isEqualTo(base);
        } finally {
            verdant.removeHandler(count);
            verdant.setUseParentHandlers(parents);
            verdant.setLevel(before);
        }
        assertThat(records.get()).as("records logged at the finer level").isPositive();
    }

    @Test
    void observingTheRuntimeFromTheBodyKeepsTheSchedule() {
        String base = runSeeds(quiet().build(), rt -> { });
        assertThat(runSeeds(quiet().build(), rt -> rt.snapshot())).as("snapshot").isEqualTo(base);
        assertThat(runSeeds(quiet().build(), rt -> rt.metrics())).as("metrics").isEqualTo(base);
        assertThat(runSeeds(quiet().build(), rt -> rt.trace())).as("trace").isEqualTo(base);
        assertThat(runSeeds(quiet().build(), rt -> rt.dump(new StringWriter(), DumpOptions.json().stacks(true))))
                .as("dump with stacks").isEqualTo(base);
        assertThat(runSeeds(quiet().build(), rt -> rt.dump(new StringWriter(), DumpOptions.text())))
                .as("dump").isEqualTo(base);
    }
}
