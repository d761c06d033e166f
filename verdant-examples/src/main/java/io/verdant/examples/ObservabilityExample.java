package io.verdant.examples;

import io.verdant.Config;
import io.verdant.DumpOptions;
import io.verdant.Green;
import io.verdant.GreenState;
import io.verdant.GreenThreadInfo;
import io.verdant.Mutex;
import io.verdant.RuntimeMetrics;
import io.verdant.RuntimeSnapshot;
import io.verdant.Supervisor;
import io.verdant.TraceRecording;
import io.verdant.Verdant;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/** Seeing inside a running runtime: metrics, a snapshot, a dump, a JSON dump file, a scheduling trace. */
public final class ObservabilityExample {
    public static void main(String[] args) throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("observed").build())) {
            Supervisor app = Supervisor.builder().name("app")
                    .child(Supervisor.ChildSpec.of("db", () -> {
                        Green.receive();
                    })).start(rt);
            Mutex<Integer> account = new Mutex<>(100);
            CountDownLatch held = new CountDownLatch(1);
            var holder = rt.spawner().name("auditor").spawn(() -> {
                try (Mutex.Guard<Integer> g = account.lock(Duration.ofSeconds(10))) {
                    held.countDown();
                    Object done = Green.receive();
                    return done + " at balance " + g.get();
                }
            });
            held.await();
            var waiter = rt.spawner().name("teller").spawn(() -> {
                try (Mutex.Guard<Integer> g = account.lock(Duration.ofSeconds(10))) {
                    return g.get();
                }
            });
            rt.run(() -> {
                for (int i = 0; i < 1_000; i++) {
                    Green.yield();
                }
            });
            while (waiter.state() != GreenState.WAITING) {
                Thread.sleep(1);
            }

            // A scheduling trace of a short burst: open trace.json in ui.perfetto.dev, trace.html in any browser.
            TraceRecording trace = rt.startTrace();
            rt.run(() -> {
                var kids = new java.util.ArrayList<io.verdant.GreenHandle<Integer>>();
                for (int k = 0; k < 4; k++) {
                    int id = k;
                    kids.add(Green.spawner().name("worker-" + k).spawn(() -> {
                        for (int i = 0; i < 200; i++) {
                            Green.yield();
                        }
                        return id;
                    }));
                }
                for (var h : kids) {
                    h.join();
                }
            });
            trace.stop();
            Path traceDir = Files.createTempDirectory("verdant-trace");
            trace.writeChromeJson(traceDir.resolve("trace.json"));
            trace.writeHtml(traceDir.resolve("trace.html"));
            System.out.printf("trace: %d events (%d dropped) written to %s (trace.json for ui.perfetto.dev, "
                    + "trace.html for a browser)%n", trace.events(), trace.dropped(), traceDir);

            RuntimeMetrics m = rt.metrics();
            System.out.printf("metrics: %d spawned, %d live, %d polls, %d steals, %d carrier parks, %d waits%n",
                    m.spawned(), m.live(), m.polls(), m.steals(), m.parks(), m.waits());

            RuntimeSnapshot s = rt.snapshot();
            for (GreenThreadInfo t : s.threads()) {
                System.out.printf("snapshot: %s '%s' %s %s, slices run: %d%n", t.pid(), t.name(), t.state(),
                        t.waitReason(), t.dispatches());
            }

            System.out.println("dump:");
            rt.dump(System.out, DumpOptions.text());

            Path json = Files.createTempFile("verdant-dump", ".json");
            rt.dump(json, DumpOptions.json().stacks(true));
            System.out.println("JSON dump with stacks written to " + json + " (" + Files.size(json) + " bytes)");

            Green.send(holder.pid(), "done");
            waiter.join(Duration.ofSeconds(10));
            app.shutdown();
        }
    }
}
