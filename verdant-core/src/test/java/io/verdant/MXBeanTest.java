package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
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
            rt.run(() -> {
                for (int i = 0; i < 50; i++) {
                    Green.spawner().name("worker-" + i).spawn(Green::yield).join();
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
            // Not their names: a thread can end before the collector first sees it, and then
            // it has none.
            int exits = 0;
            for (JsonNode e : root.get("traceEvents")) {
                if (e.path("cat").asText().equals("slice") && e.path("args").path("ended").asText().equals("exit")) {
                    exits++;
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
            // (The thread's name may be missing: it can end before the collector first sees it.)
            assertThat(Files.readString(html)).startsWith("<!DOCTYPE html>").contains("<svg").contains("verdant 'mx-trace'")
                    .containsPattern("[1-9][0-9,]* slices");

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
    void noBeanWithoutOptIn() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("mx-off").build())) {
            assertThat(ManagementFactory.getPlatformMBeanServer()
                    .isRegistered(new ObjectName("io.verdant:type=Runtime,name=\"" + rt.name() + "\""))).isFalse();
        }
    }
}
