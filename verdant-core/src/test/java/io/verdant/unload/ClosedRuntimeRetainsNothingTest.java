package io.verdant.unload;

import io.verdant.Actors;
import io.verdant.Config;
import io.verdant.Determinism;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Pid;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Once a runtime is closed and its user has dropped it, nothing of Verdant's
 * (a static, a thread, a JDK registry) still references what the user's code
 * gave it: the runtime itself, a failure nobody observed, a dead letter,
 * registered names, messages and timers pending at close, an event actor's state.
 */
@Timeout(60)
class ClosedRuntimeRetainsNothingTest {
    static final class Payload {
        final String what;
        Payload(String what) {
            this.what = what;
        }
    }

    static final class PayloadFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient Payload payload;
        PayloadFailure(Payload p) {
            super(p.what);
            this.payload = p;
        }
    }

    @Test
    void normalRuntime() throws Exception {
        Map<String, WeakReference<Object>> refs = run(false);
        assertAllCleared(refs);
    }

    @Test
    void deterministicRuntime() throws Exception {
        Map<String, WeakReference<Object>> refs = run(true);
        assertAllCleared(refs);
    }

    private static Map<String, WeakReference<Object>> run(boolean det) throws Exception {
        Map<String, WeakReference<Object>> refs = new LinkedHashMap<>();
        Config config = Config.builder().name(det ? "retain-det" : "retain-rt").jmx(!det)
                .flightRecorder(det ? 0 : 8192).build();
        Verdant rt = det ? Verdant.deterministic(config, Determinism.seed(3).failOnUnjoinedFailure(false)) : Verdant.start(config);
        try {
            Payload failure = new Payload("failure");
            Payload dead = new Payload("dead letter");
            Payload pending = new Payload("pending");
            Payload later = new Payload("later");
            Payload state = new Payload("state");
            Payload result = new Payload("result");
            String name = new String("retain-name-" + det);
            refs.put("failure", new WeakReference<>(failure));
            refs.put("dead letter", new WeakReference<>(dead));
            refs.put("pending", new WeakReference<>(pending));
            refs.put("later", new WeakReference<>(later));
            refs.put("state", new WeakReference<>(state));
            refs.put("result", new WeakReference<>(result));
            refs.put("name", new WeakReference<>(name));
            refs.put("runtime", new WeakReference<>(rt));
            Object r = rt.run(() -> {
                Green.spawn((Runnable) () -> {
                    throw new PayloadFailure(failure);
                });
                Pid gone = Green.spawn(() -> 1).pid();
                GreenHandle<Object> sleeper = Green.spawn(() -> {
                    Green.sleep(Duration.ofHours(1));
                    return null;
                });
                Green.send(sleeper.pid(), pending);
                Green.sendAfter(sleeper.pid(), later, Duration.ofHours(1));
                Green.runtime().registry().register(name, sleeper.pid());
                GreenHandle<Payload> actor = Actors.spawn(state, (Payload s, Object m) -> s);
                Green.send(actor.pid(), "x");
                Green.sleep(Duration.ofMillis(5));
                Green.send(gone, dead);
                return result;
            });
            assertThat(r).isSameAs(result);
        } finally {
            rt.close();
        }
        return refs;
    }

    private static void assertAllCleared(Map<String, WeakReference<Object>> refs) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<String> held;
        do {
            System.gc();
            Thread.sleep(20);
            held = new ArrayList<>();
            for (var e : refs.entrySet()) {
                if (e.getValue().get() != null) {
                    held.add(e.getKey());
                }
            }
        } while (!held.isEmpty() && System.nanoTime() < deadline);
        assertThat(held).as("still reachable after close").isEmpty();
    }
}
