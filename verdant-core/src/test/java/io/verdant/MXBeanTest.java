package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.util.List;
import java.time.Duration;
import java.nio.file.Path;
import javax.management.RuntimeMBeanException;

import java.lang.management.ManagementFactory;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The opt-in runtime MXBean, through the platform MBean server. */
@Timeout(60)
class MXBeanTest {
    @Test
    void attributesAndOperationsAreReadableAndTheBeanLeavesOnClose() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("io.verdant:type=Runtime,name=\"mx-test\"");
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("mx-test").jmx(true).build())) {
            rt.run(() -> Green.spawn(() -> 1).join());
            assertThat(server.isRegistered(name)).isTrue();
            assertThat(server.getAttribute(name, "Spawned")).isEqualTo(2L);
            assertThat(server.getAttribute(name, "Exited")).isEqualTo(2L);
            assertThat(server.getAttribute(name, "Carriers")).isEqualTo(2);
            assertThat((int[]) server.getAttribute(name, "LocalQueueDepths")).hasSize(2);
            VerdantRuntimeMXBean proxy = JMX.newMXBeanProxy(server, name, VerdantRuntimeMXBean.class);
            assertThat(proxy.getName()).isEqualTo("mx-test");
            assertThat(proxy.getPolls()).isGreaterThanOrEqualTo(2);
            assertThat((String) server.invoke(name, "dump", new Object[] {false}, new String[] {"boolean"}))
                    .startsWith("Verdant runtime 'mx-test'");
            assertThat(proxy.dumpJson()).contains("\"verdantDump\"");
        }
        assertThat(server.isRegistered(name)).isFalse();
    }

    @Test
    void topRanksThreadsNowAndTopWindowRanksWhatTheyDidInTheWindow() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("io.verdant:type=Runtime,name=\"mx-top\"");
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("mx-top").jmx(true).build())) {
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            // "hot" runs a slice per 1 ms sleep through the window; "cold" stays parked with 3 messages queued.
            GreenHandle<Void> hot = rt.spawner().name("hot").spawn(() -> {
                while (!stop.get()) {
                    Green.sleep(Duration.ofMillis(1));
                }
            });
            GreenHandle<Object> cold = rt.spawner().name("cold").spawn(() -> Green.receive(Integer.class));
            for (int i = 0; i < 3; i++) {
                assertThat(Green.send(cold.pid(), "not an Integer " + i)).isTrue();
            }
            StallTest.waitUntil(() -> cold.state() == GreenState.WAITING
                    && SnapshotTest.info(rt, cold.pid()).mailboxDepth() == 3);
            VerdantRuntimeMXBean proxy = JMX.newMXBeanProxy(server, name, VerdantRuntimeMXBean.class);

            String byMailbox = proxy.top("mailbox", 1);
            assertThat(byMailbox.lines().toList()).hasSize(2);
            assertThat(byMailbox).startsWith("top 1 by mailbox of runtime 'mx-top' (2 live)")
                    .contains(cold.pid() + " 'cold' WAITING").contains("mailbox 3");

            String window = (String) server.invoke(name, "topWindow", new Object[] {"DISPATCHES", 2, 300},
                    new String[] {"java.lang.String", "int", "int"});
            List<String> lines = window.lines().toList();
            assertThat(lines.get(0)).isEqualTo("top 2 by DISPATCHES in 300 ms of runtime 'mx-top' (2 live)");
            assertThat(lines).hasSize(3);
            assertThat(lines.get(1)).contains(hot.pid() + " 'hot'");
            assertThat(lines.get(2)).contains(cold.pid() + " 'cold'").contains("dispatches 0");
            long hotSlices = Long.parseLong(lines.get(1).replaceAll(".*dispatches (\\d+).*", "$1"));
            assertThat(hotSlices).as(lines.get(1)).isPositive();

            assertThatThrownBy(() -> proxy.top("cpu", 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("runTime, dispatches, mailbox or waiting");
            assertThatThrownBy(() -> proxy.topWindow("mailbox", 1, 10)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("runTime or dispatches");
            assertThatThrownBy(() -> proxy.top("runTime", 0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("n must be");
            assertThatThrownBy(() -> proxy.topWindow("runTime", 1, 0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("millis must be");
            stop.set(true);
            hot.join();
            cold.cancel();
        }
    }

    @Test
    void recordTraceRecordsForSecondsAndWritesTheFileInOneCall(@TempDir Path dir) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("io.verdant:type=Runtime,name=\"mx-timed\"");
        String[] sig = {"java.lang.String", "int"};
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("mx-timed").jmx(true).build())) {
            // Work that runs through the whole recording.
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            GreenHandle<Void> busy = rt.spawner().name("ticker-loop").spawn(() -> {
                while (!stop.get()) {
                    Green.sleep(Duration.ofMillis(2));
                }
            });
            Path json = dir.resolve("timed.json");
            long t0 = System.nanoTime();
            String written = (String) server.invoke(name, "recordTrace", new Object[] {json.toString(), 1}, sig);
            long took = System.nanoTime() - t0;
            assertThat(written).isEqualTo(json.toAbsolutePath().toString());
            assertThat(Duration.ofNanos(took)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
            JsonNode root = new ObjectMapper().readTree(json.toFile());
            int slices = 0;
            for (JsonNode e : root.get("traceEvents")) {
                if (e.path("cat").asText().equals("slice") && e.path("name").asText().startsWith("ticker-loop <")) {
                    slices++;
                }
            }
            // About one slice per 2 ms sleep for a second; a loaded machine gives fewer.
            assertThat(slices).isGreaterThan(20);
            assertThat(server.getAttribute(name, "TraceRecording")).as("the bean's own trace is not involved").isEqualTo(false);

            Path html = dir.resolve("timed.html");
            VerdantRuntimeMXBean proxy = JMX.newMXBeanProxy(server, name, VerdantRuntimeMXBean.class);
            assertThat(proxy.recordTrace(html.toString(), 1)).isEqualTo(html.toAbsolutePath().toString());
            assertThat(Files.readString(html)).startsWith("<!DOCTYPE html>").contains("<svg").contains("ticker-loop &lt;");

            assertThatThrownBy(() -> server.invoke(name, "recordTrace", new Object[] {json.toString(), 0}, sig))
                    .isInstanceOf(RuntimeMBeanException.class).hasRootCauseInstanceOf(IllegalArgumentException.class)
                    .rootCause().hasMessageContaining("seconds");
            assertThatThrownBy(() -> proxy.recordTrace(json.toString(), 3601)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("seconds");
            assertThatThrownBy(() -> proxy.recordTrace("", 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("path");
            stop.set(true);
            busy.join();
        }
    }

    @Test
    void traceOperationsWriteChromeJsonAndHtmlAndDumpTheFlightRecorder(@TempDir Path dir) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("io.verdant:type=Runtime,name=\"mx-trace\"");
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("mx-trace").jmx(true)
                .flightRecorder(256 * 1024).build())) {
            assertThat(server.getAttribute(name, "TraceRecording")).isEqualTo(false);
            server.invoke(name, "startTrace", new Object[0], new String[0]);
            assertThat(server.getAttribute(name, "TraceRecording")).isEqualTo(true);
            // A second start while one records is refused, through JMX as an IllegalStateException.
            assertThatThrownBy(() -> server.invoke(name, "startTrace", new Object[0], new String[0]))
                    .isInstanceOf(RuntimeMBeanException.class).hasRootCauseInstanceOf(IllegalStateException.class);
            java.util.Map<String, String> workers = new java.util.HashMap<>();
            rt.run(() -> {
                for (int i = 0; i < 50; i++) {
                    GreenHandle<Void> w = Green.spawner().name("worker-" + i).spawn(Green::yield);
                    w.join();
                    workers.put(w.pid().toString(), "worker-" + i + " " + w.pid());
                }
                return null;
            });
            Path json = dir.resolve("trace.json");
            String said = (String) server.invoke(name, "stopTrace", new Object[] {json.toString()},
                    new String[] {"java.lang.String"});
            assertThat(said).contains("Chrome JSON").contains(json.toString());
            assertThat(server.getAttribute(name, "TraceRecording")).isEqualTo(false);
            JsonNode root = new ObjectMapper().readTree(json.toFile());
            // Every slice that ended in an exit is there: the 50 workers' and that of the
            // green thread rt.run ran them in (51). The last ones may still be running when
            // join and run return: stopTrace waits for the slice each carrier is running.
            // Each worker is named, even one that ended before the collector first saw it
            // (its spawn and its exit carry the name).
            int exits = 0;
            for (JsonNode e : root.get("traceEvents")) {
                if (e.path("cat").asText().equals("slice") && e.path("args").path("ended").asText().equals("exit")) {
                    String pid = e.path("args").path("pid").asText();
                    exits++;
                    if (workers.containsKey(pid)) {
                        assertThat(e.path("name").asText()).as("the exit slice of %s", pid).isEqualTo(workers.get(pid));
                    }
                }
            }
            assertThat(exits).isEqualTo(51);
            assertThatThrownBy(() -> server.invoke(name, "stopTrace", new Object[] {json.toString()},
                    new String[] {"java.lang.String"})).hasRootCauseInstanceOf(IllegalStateException.class);

            VerdantRuntimeMXBean proxy = JMX.newMXBeanProxy(server, name, VerdantRuntimeMXBean.class);
            proxy.startTrace();
            rt.run(() -> Green.spawner().name("in-html").spawn(() -> 1).join());
            Path html = dir.resolve("trace.html");
            assertThat(proxy.stopTrace(html.toString())).contains("HTML");
            assertThat(Files.readString(html)).startsWith("<!DOCTYPE html>").contains("<svg").contains("verdant 'mx-trace'")
                    .containsPattern("[1-9][0-9,]* slices").contains("in-html &lt;");

            Path flight = dir.resolve("flight.json");
            assertThat((String) server.invoke(name, "dumpFlightRecording", new Object[] {flight.toString()},
                    new String[] {"java.lang.String"})).contains("Chrome JSON");
            assertThat(new ObjectMapper().readTree(flight.toFile()).get("traceEvents").size()).isGreaterThan(10);
            Path flightHtml = dir.resolve("flight.htm");
            assertThat(proxy.dumpFlightRecording(flightHtml.toString())).contains("HTML");
            assertThat(Files.readString(flightHtml)).contains("<svg");
            assertThatThrownBy(() -> proxy.dumpFlightRecording(" ")).isInstanceOf(IllegalArgumentException.class);
        }
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("mx-noflight").jmx(true).build())) {
            VerdantRuntimeMXBean proxy = JMX.newMXBeanProxy(server,
                    new ObjectName("io.verdant:type=Runtime,name=\"" + rt.name() + "\""), VerdantRuntimeMXBean.class);
            assertThatThrownBy(() -> proxy.dumpFlightRecording(dir.resolve("x.json").toString()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("flightRecorder");
        }
    }

    @Test
    void aRuntimeWhoseNameWasTakenDoesNotUnregisterTheOtherRuntimesBeanOnClose() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("io.verdant:type=Runtime,name=\"mx-twice\"");
        try (Verdant first = Verdant.start(Config.builder().workers(1).name("mx-twice").jmx(true).build())) {
            first.run(() -> Green.spawn(() -> 1).join());
            // A second runtime of the same name: the name is taken, so it has no bean of its own.
            try (Verdant second = Verdant.start(Config.builder().workers(1).name("mx-twice").jmx(true).build())) {
                assertThat(second.name()).isEqualTo("mx-twice");
                assertThat(server.getAttribute(name, "Spawned")).isEqualTo(2L);
            }
            // Its close leaves the first runtime's bean, which still reads the first runtime.
            assertThat(server.isRegistered(name)).isTrue();
            assertThat(server.getAttribute(name, "Spawned")).isEqualTo(2L);
        }
        assertThat(server.isRegistered(name)).isFalse();
    }

    @Test
    void noBeanWithoutOptIn() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("mx-off").build())) {
            assertThat(ManagementFactory.getPlatformMBeanServer()
                    .isRegistered(new ObjectName("io.verdant:type=Runtime,name=\"" + rt.name() + "\""))).isFalse();
        }
    }
}
