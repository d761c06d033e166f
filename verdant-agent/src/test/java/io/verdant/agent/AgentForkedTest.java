package io.verdant.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agent as users run it: child JVMs started with {@code -javaagent} and
 * {@code -Xverify:all}, on the class path.
 */
@Timeout(300)
class AgentForkedTest {
    private static final Pattern STATS = Pattern.compile(
            "STATS verdant-agent: instrumented (\\d+) classes, (\\d+) methods, (\\d+) safepoints; (\\d+) classes left");

    @Test
    void instrumentedCodeComputesExactlyWhatUninstrumentedCodeComputes() throws Exception {
        ChildJvm.Outcome plain = ChildJvm.run(List.of(), "acme.loops.BatteryMain", 120, "plain");
        ChildJvm.Outcome loops = ChildJvm.run(List.of(ChildJvm.agent("include=acme.**,kotlin.**")),
                "acme.loops.BatteryMain", 120, "green");
        ChildJvm.Outcome entries = ChildJvm.run(List.of(ChildJvm.agent("include=acme.**,kotlin.**;entry=true")),
                "acme.loops.BatteryMain", 120, "green");
        ChildJvm.Outcome counted = ChildJvm.run(List.of(ChildJvm.agent("include=acme.**;skipCounted=true")),
                "acme.loops.BatteryMain", 120, "green");
        for (ChildJvm.Outcome o : List.of(plain, loops, entries, counted)) {
            assertThat(o.exitCode()).as(o.stderr()).isZero();
        }
        List<String> expected = results(plain);
        assertThat(expected).hasSizeGreaterThan(30).noneMatch(l -> l.contains("threw"));
        assertThat(results(loops)).isEqualTo(expected);
        assertThat(results(entries)).isEqualTo(expected);
        assertThat(results(counted)).isEqualTo(expected);
        assertThat(stats(plain)).containsExactly(0L, 0L, 0L, 0L);
        long[] l = stats(loops);
        long[] e = stats(entries);
        assertThat(l[0]).as("classes").isGreaterThanOrEqualTo(10);
        assertThat(l[2]).as("safepoints").isGreaterThan(60);
        assertThat(l[3]).as("failed").isZero();
        assertThat(e[1]).as("entry=true touches more methods").isGreaterThan(l[1]);
        assertThat(e[2]).isGreaterThan(l[2]);
        assertThat(e[3]).isZero();
        long[] c = stats(counted);
        assertThat(c[2]).as("skipCounted inserts fewer").isPositive().isLessThan(l[2]);
        assertThat(c[3]).isZero();
    }

    @Test
    void twoEndlessLoopsShareOneWorkerOnlyWithTheAgent() throws Exception {
        ChildJvm.Outcome without = ChildJvm.run(List.of(), "acme.loops.TwoSpinners", 120, "2000");
        assertThat(without.stdout()).as(without.stderr()).startsWith("STARVED");
        assertThat(starvedOne(without.stdout())).as(without.stdout()).isTrue();
        ChildJvm.Outcome with = ChildJvm.run(List.of(ChildJvm.agent("include=acme.loops.Spin")),
                "acme.loops.TwoSpinners", 120, "60000");
        assertThat(with.stdout()).as(with.stderr()).startsWith("SHARED");
    }

    @Test
    void includeAndExcludeAreHonouredAndTheTotalsAreLoggedOnceStartUpSettles() throws Exception {
        ChildJvm.Outcome o = ChildJvm.run(List.of(ChildJvm.agent("include=acme.loops.*;exclude=acme.loops.hot.*,"
                + "acme.loops.Battery;verbose=true")), "acme.loops.NamesMain", 120, "linger");
        assertThat(o.exitCode()).as(o.stderr()).isZero();
        assertThat(o.stdout()).contains("hot=499500", "battery=", "inner=45");
        List<String> instrumented = o.stderr().lines()
                .filter(s -> s.contains("verdant-agent: instrumented acme") || s.contains("instrumented io.")
                        || s.contains("instrumented org.") || s.contains("instrumented kotlin."))
                .map(s -> s.substring(s.indexOf("instrumented ") + 13, s.indexOf(':', s.indexOf("instrumented "))))
                .toList();
        assertThat(instrumented).containsExactlyInAnyOrder("acme.loops.NamesMain$Inner");
        assertThat(o.stderr()).contains("verdant-agent: inserting Green.checkpoint() at loop back-edges of "
                + "include=acme.loops.*;exclude=acme.loops.hot.*,acme.loops.Battery;entry=false;verbose=true");
        assertThat(o.stderr()).containsOnlyOnce("verdant-agent: instrumented 1 classes, 1 methods, 1 safepoints");

        ChildJvm.Outcome hot = ChildJvm.run(List.of(ChildJvm.agent("include=acme.loops.hot.*;verbose=true")),
                "acme.loops.NamesMain", 120);
        assertThat(hot.stderr()).contains("instrumented acme.loops.hot.HotLoop: 1 methods, 1 safepoints")
                .doesNotContain("instrumented acme.loops.NamesMain", "instrumented acme.loops.Battery");
        assertThat(hot.stdout()).contains("STATS verdant-agent: instrumented 1 classes, 1 methods, 1 safepoints");
    }

    @Test
    void aClassThatCannotBeInstrumentedIsLeftAsItWasAndReportedOnce() throws Exception {
        ChildJvm.Outcome o = ChildJvm.run(List.of(ChildJvm.agent("include=acme.gen.*")), "acme.gen.HugeMain", 120);
        assertThat(o.exitCode()).as(o.stderr()).isZero();
        assertThat(o.stdoutLines()).containsSubsequence("huge=5", "huge=5", "FAILED 2");
        assertThat(o.stderr()).containsOnlyOnce("left acme.gen.Huge unchanged");
        assertThat(o.stderr()).contains("Code length");
    }

    @Test
    void attachingRetransformsClassesAlreadyLoaded() throws Exception {
        ChildJvm.Outcome o = ChildJvm.run(List.of("-Djdk.attach.allowAttachSelf=true", "-XX:+EnableDynamicAgentLoading"),
                "acme.loops.AttachMain", 120, ChildJvm.agentJar().toString());
        assertThat(o.exitCode()).as(o.stderr()).isZero();
        assertThat(o.stdoutLines()).containsExactly(
                "before=45 verdant-agent: instrumented 0 classes, 0 methods, 0 safepoints; 0 classes left unchanged "
                        + "(failed); 0.0 ms spent instrumenting",
                "after=45 " + o.stdoutLines().get(1).substring(9));
        assertThat(o.stdoutLines().get(1)).contains("instrumented 1 classes, 1 methods, 1 safepoints; 0 classes left");
        assertThat(o.stderr()).contains("verdant-agent: instrumented 1 classes, 1 methods, 1 safepoints");
    }

    /**
     * Another agent given first loads an application class before the Verdant agent's
     * premain runs (an APM agent, a custom system class loader): that class is
     * already defined when the transformer is added, so only a retransformation can
     * instrument it.
     */
    @Test
    void aClassLoadedBeforePremainIsInstrumentedToo() throws Exception {
        ChildJvm.Outcome o = ChildJvm.run(List.of("-javaagent:" + ChildJvm.earlyAgentJar() + "=acme.loops.NamesMain$Inner",
                ChildJvm.agent("include=acme.loops.NamesMain*;verbose=true")), "acme.loops.NamesMain", 60);
        assertThat(o.exitCode()).as(o.stderr()).isZero();
        assertThat(o.stdout()).contains("inner=45");
        assertThat(o.stderr()).contains("instrumented acme.loops.NamesMain$Inner: 1 methods, 1 safepoints");
        assertThat(o.stdout()).as(o.stderr()).contains("STATS verdant-agent: instrumented 1 classes, 1 methods, 1 safepoints");
    }

    @Test
    void badAgentArgumentsStopTheJvmNamingTheOption() throws Exception {
        ChildJvm.Outcome o = ChildJvm.run(List.of(ChildJvm.agent("include=acme.*;entri=true")),
                "acme.loops.NamesMain", 60);
        assertThat(o.exitCode()).isEqualTo(1);
        // The message alone: no "FATAL ERROR in native method" dump, no stack trace.
        assertThat(o.stderr().strip()).isEqualTo(
                "verdant-agent: unknown option 'entri' (keys: include, exclude, entry, skipCounted, verbose)");
        assertThat(o.stdout()).isEmpty();
    }

    private static boolean starvedOne(String stdout) {
        Matcher m = Pattern.compile("STARVED a=(\\d+) b=(\\d+)").matcher(stdout);
        return m.find() && (m.group(1).equals("0") != m.group(2).equals("0"));
    }

    private static List<String> results(ChildJvm.Outcome o) {
        return o.stdoutLines().stream().filter(s -> !s.startsWith("STATS")).toList();
    }

    private static long[] stats(ChildJvm.Outcome o) {
        Matcher m = STATS.matcher(o.stdout());
        assertThat(m.find()).as(o.stdout()).isTrue();
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                Long.parseLong(m.group(4))};
    }
}
