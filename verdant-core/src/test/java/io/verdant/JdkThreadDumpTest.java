package io.verdant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.verdant.internal.vthread.RuntimeContainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JDK's own thread dump (what {@code jcmd <pid> Thread.dump_to_file -format=json}
 * writes) lists a runtime's green threads under a container named after the
 * runtime, once each, and drops the container when the runtime closes.
 */
@Timeout(60)
class JdkThreadDumpTest {
    @TempDir
    Path dir;

    @Test
    void thisJdkLetsARuntimeHaveItsOwnContainer() {
        // If a JDK update changed the internals, green threads fall back to the root
        // container silently: this test says so instead.
        assertThat(RuntimeContainer.available()).isTrue();
    }

    @Test
    void greenThreadsAreListedUnderTheirRuntimesContainer() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<Long> tids = new ArrayList<>();
        try (Verdant rt = Verdant.start(Config.builder().name("dumped").workers(2).build())) {
            List<GreenHandle<Void>> hs = new ArrayList<>();
            CountDownLatch started = new CountDownLatch(3);
            for (int i = 0; i < 3; i++) {
                hs.add(rt.spawn(() -> {
                    started.countDown();
                    release.await();
                    return null;
                }));
            }
            started.await();
            for (GreenThreadInfo info : rt.snapshot().threads()) {
                tids.add(info.jdkThreadId());
            }
            JsonNode dump = dump("live");
            JsonNode mine = container(dump, "Verdant@dumped");
            assertThat(mine).as("a container named after the runtime").isNotNull();
            assertThat(threadIds(mine)).containsExactlyInAnyOrderElementsOf(tids);
            assertThat(mine.path("parent").asText()).isEqualTo("<root>");
            // Once each: not also in the root container's flat list.
            assertThat(threadIds(container(dump, "<root>"))).doesNotContainAnyElementsOf(tids);
            release.countDown();
            for (GreenHandle<Void> h : hs) {
                h.join();
            }
            assertThat(threadIds(container(dump("ended"), "Verdant@dumped"))).isEmpty();
        }
        assertThat(container(dump("closed"), "Verdant@dumped")).as("gone once the runtime closed").isNull();
    }

    @Test
    void aFactorysThreadStartedByItsUserStaysInTheRootContainer() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Verdant rt = Verdant.start(Config.builder().name("factory-dumped").build())) {
            ThreadFactory f = rt.threadFactory();
            CountDownLatch started = new CountDownLatch(1);
            Thread t = f.newThread(() -> {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            t.start();
            started.await();
            JsonNode dump = dump("factory");
            assertThat(threadIds(container(dump, "<root>"))).contains(t.threadId());
            assertThat(threadIds(container(dump, "Verdant@factory-dumped"))).doesNotContain(t.threadId());
            release.countDown();
            t.join();
        }
    }

    private JsonNode dump(String name) throws Exception {
        Path file = dir.resolve(name + ".json");
        // HotSpotDiagnosticMXBean.dumpThreads(file, JSON), through the platform MBean
        // server (this module does not read jdk.management).
        ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=HotSpotDiagnostic"),
                "dumpThreads", new Object[] {file.toString(), "JSON"},
                new String[] {String.class.getName(), String.class.getName()});
        return new ObjectMapper().readTree(file.toFile());
    }

    /** The container whose name (before the JDK's "/identity" suffix, if any) is {@code name}, or null. */
    private static JsonNode container(JsonNode dump, String name) {
        for (JsonNode c : dump.path("threadDump").path("threadContainers")) {
            String n = c.path("container").asText();
            if (n.equals(name) || n.startsWith(name + "/")) {
                return c;
            }
        }
        return null;
    }

    private static List<Long> threadIds(JsonNode container) {
        List<Long> ids = new ArrayList<>();
        if (container != null) {
            for (JsonNode t : container.path("threads")) {
                ids.add(t.path("tid").asLong());
            }
        }
        return ids;
    }
}
