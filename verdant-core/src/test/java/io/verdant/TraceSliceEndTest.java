package io.verdant;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Why a traced slice ended, when the carrier reads the park blocker before the
 * thread's state (issue 12, trace cost: a park with a blocker, the common one,
 * costs no state read): a park with a blocker names it, a park without one is
 * still a park (not an exit), and the slice in which a thread ends is an exit.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TraceSliceEndTest {

    @Test
    void aParkWithoutABlockerIsAParkAndTheLastSliceIsAnExit() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("trace-slice-end").build())) {
            AtomicBoolean go = new AtomicBoolean();
            AtomicReference<Thread> self = new AtomicReference<>();
            TraceRecording trace = rt.startTrace();
            GreenHandle<Object> h = rt.spawn(() -> {
                self.set(Thread.currentThread());
                while (!go.get()) {
                    LockSupport.park(); // no blocker
                }
                return null;
            });
            Thread t = awaitParked(self);
            go.set(true);
            LockSupport.unpark(t);
            h.join();
            trace.stop();
            List<JsonNode> mine = slicesOf(trace, h.pid().toString());
            assertThat(mine).hasSizeGreaterThanOrEqualTo(2);
            List<JsonNode> parks = mine.subList(0, mine.size() - 1);
            assertThat(parks).allSatisfy(s -> {
                assertThat(s.get("args").get("ended").asText()).isEqualTo("park");
                assertThat(s.get("args").has("blocker")).isFalse();
            });
            assertThat(mine.get(mine.size() - 1).get("args").get("ended").asText()).isEqualTo("exit");
        }
    }

    @Test
    void aParkWithABlockerIsAParkThatNamesIt() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("trace-slice-blocker").build())) {
            Channel<Integer> ch = Channel.rendezvous();
            AtomicReference<Thread> self = new AtomicReference<>();
            TraceRecording trace = rt.startTrace();
            GreenHandle<Integer> h = rt.spawn(() -> {
                self.set(Thread.currentThread());
                return ch.receive();
            });
            awaitParked(self);
            rt.run(() -> {
                ch.send(7);
                return null;
            });
            assertThat(h.join()).isEqualTo(7);
            trace.stop();
            List<JsonNode> mine = slicesOf(trace, h.pid().toString());
            assertThat(mine).hasSizeGreaterThanOrEqualTo(2);
            JsonNode park = mine.get(0);
            assertThat(park.get("args").get("ended").asText()).isEqualTo("park");
            assertThat(park.get("args").get("blocker").asText()).startsWith("Channel#").contains("rendezvous");
            assertThat(mine.get(mine.size() - 1).get("args").get("ended").asText()).isEqualTo("exit");
        }
    }

    /** Waits (bounded by the test's timeout) until the thread {@code self} will name is parked. */
    private static Thread awaitParked(AtomicReference<Thread> self) {
        Thread t;
        while ((t = self.get()) == null || t.getState() != Thread.State.WAITING) {
            Thread.onSpinWait();
        }
        return t;
    }

    /** The slices of green thread {@code pid} in {@code trace}'s Chrome JSON, in order. */
    private static List<JsonNode> slicesOf(TraceRecording trace, String pid) throws Exception {
        StringBuilder json = new StringBuilder();
        trace.writeChromeJson(json);
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : new ObjectMapper().readTree(json.toString()).get("traceEvents")) {
            if (e.get("ph").asText().equals("X") && e.get("cat").asText().equals("slice")
                    && e.get("args").get("pid").asText().equals(pid)) {
                out.add(e);
            }
        }
        out.sort((x, y) -> Double.compare(x.get("ts").asDouble(), y.get("ts").asDouble()));
        return out;
    }
}
