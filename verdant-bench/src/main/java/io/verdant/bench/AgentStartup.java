package io.verdant.bench;

import io.verdant.agent.AgentStats;
import io.verdant.agent.VerdantAgent;

import java.net.JarURLConnection;
import java.net.URL;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Start-up cost of the agent as an application sees it: a fresh JVM loads every
 * class of XZ for Java (org.tukaani:xz, a loop-heavy compressor from Maven
 * Central). Run it with and without
 * {@code -javaagent:verdant-agent.jar=include=org.tukaani.**}; it prints the wall
 * time to load the classes and, with the agent, the agent's own time per class.
 *
 * <pre>
 *   java -cp benchmarks.jar [-javaagent:...=include=org.tukaani.**] io.verdant.bench.AgentStartup
 * </pre>
 */
public final class AgentStartup {
    private AgentStartup() {
    }

    public static void main(String[] args) throws Exception {
        URL url = AgentStartup.class.getClassLoader().getResource("org/tukaani/xz/XZ.class");
        if (url == null || !(url.openConnection() instanceof JarURLConnection jc)) {
            throw new IllegalStateException("org.tukaani.xz is not in a jar on the class path: " + url);
        }
        List<String> names = new ArrayList<>();
        try (JarFile jar = new JarFile(new java.io.File(jc.getJarFileURL().getPath()))) {
            for (Enumeration<JarEntry> en = jar.entries(); en.hasMoreElements(); ) {
                String n = en.nextElement().getName();
                if (n.startsWith("org/tukaani/xz/") && n.endsWith(".class") && !n.contains("module-info")) {
                    names.add(n.substring(0, n.length() - 6).replace('/', '.'));
                }
            }
        }
        long t0 = System.nanoTime();
        int loaded = 0;
        for (String n : names) {
            try {
                Class.forName(n, false, AgentStartup.class.getClassLoader());
                loaded++;
            } catch (ClassNotFoundException | LinkageError e) {
                System.out.println("# could not load " + n + ": " + e);
            }
        }
        long wall = System.nanoTime() - t0;
        AgentStats s = VerdantAgent.stats();
        boolean agent = s.classes() + s.failed() > 0;
        Report r = new Report();
        r.result("agent-startup", agent ? "agent" : "no-agent", loaded, "ms", wall / 1e6,
                "instrumented=" + s.classes(), "safepoints=" + s.safepoints(), "failed=" + s.failed(),
                "agent_ms=" + Report.format(s.nanos() / 1e6),
                "agent_us_per_loaded_class=" + Report.format(loaded == 0 ? 0 : s.nanos() / 1e3 / loaded));
    }
}
