package io.verdant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.verdant.internal.obs.TraceData;
import io.verdant.internal.obs.TraceEvent;
import io.verdant.internal.obs.TraceRing;
import io.verdant.internal.obs.TraceSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TraceTest {

    /** A slice read back from the JSON: times in nanoseconds since the trace began. */
    record Slice(int tid, long begin, long end, String pid) {
    }

    static long nanos(JsonNode n) {
        return Math.round(n.asDouble() * 1000);
    }

    static JsonNode parse(TraceRecording trace) throws Exception {
        StringBuilder json = new StringBuilder();
        trace.writeChromeJson(json);
        return new ObjectMapper().readTree(json.toString());
    }

    static List<Slice> slices(JsonNode root) {
        List<Slice> out = new ArrayList<>();
        for (JsonNode e : root.get("traceEvents")) {
            if (e.get("ph").asText().equals("X") && e.get("cat").asText().equals("slice")) {
                long b = nanos(e.get("ts"));
                out.add(new Slice(e.get("tid").asInt(), b, b + nanos(e.get("dur")), e.get("args").get("pid").asText()));
            }
        }
        out.sort((x, y) -> Long.compare(x.begin, y.begin));
        return out;
    }

    /** The slice on {@code tid} that contains {@code ts}, or null ({@code slices} sorted by begin). */
    static Slice enclosing(List<Slice> slices, int tid, long ts) {
        int lo = 0;
        int hi = slices.size() - 1;
        int at = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (slices.get(mid).begin <= ts) {
                at = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        for (int i = at; i >= 0; i--) {
            Slice s = slices.get(i);
            if (s.tid == tid) {
                return s.end >= ts ? s : null;
            }
        }
        return null;
    }

    /**
     * Runs a ping-pong pair for {@code rounds} round trips on rendezvous channels:
     * green threads "ping" and "pong", both joined before it returns.
     *
     * @param rt     the runtime to run it in
     * @param rounds round trips
     * @return the pids of ping and pong, in that order
     */
    static Pid[] pingPong(Verdant rt, int rounds) {
        Pid[] pair = new Pid[2];
        rt.run(() -> {
            Channel<Integer> ping = Channel.rendezvous();
            Channel<Integer> pong = Channel.rendezvous();
            GreenHandle<Void> echo = Green.spawner().name("pong").spawn(() -> {
                for (int i = 0; i < rounds; i++) {
                    pong.send(ping.receive());
                }
            });
            GreenHandle<Void> pinger = Green.spawner().name("ping").spawn(() -> {
                for (int i = 0; i < rounds; i++) {
                    ping.send(i);
                    pong.receive();
                }
            });
            pair[0] = pinger.pid();
            pair[1] = echo.pid();
            pinger.join();
            echo.join();
            return null;
        });
        return pair;
    }

    @Test
    void aPingPongPairShowsAlternatingSlicesWithWakeArrowsAndNoOverlapOnACarrier() throws Exception {
        int rounds = 300;
        // One carrier: each side parks until the other answers, so the pair strictly alternates
        // (on two carriers a side may find the answer already there and not park).
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("trace-pingpong").build())) {
            TraceRecording trace = rt.startTrace();
            Pid[] pair = pingPong(rt, rounds);
            trace.stop();
            assertThat(trace.isRecording()).isFalse();
            assertThat(trace.dropped()).isZero();
            JsonNode root = parse(trace);
            assertThat(root.get("displayTimeUnit").asText()).isEqualTo("ns");
            // The clock's measured cost is in the metadata (design: a slow clock source explains a costly trace).
            assertThat(root.get("otherData").get("clockReadNanos").asDouble()).isGreaterThan(0).isLessThan(1_000_000);
            List<Slice> all = slices(root);

            // One carrier runs one slice at a time.
            Map<Integer, Slice> last = new HashMap<>();
            for (Slice s : all) {
                Slice prev = last.put(s.tid, s);
                if (prev != null) {
                    assertThat(s.begin).as("slice %s overlaps %s", s, prev).isGreaterThanOrEqualTo(prev.end);
                }
            }

            // The pair's slices alternate: in time order, a thread rarely runs twice in a row.
            String ping = pair[0].toString();
            String pong = pair[1].toString();
            List<Slice> pairSlices = all.stream().filter(s -> s.pid.equals(ping) || s.pid.equals(pong)).toList();
            assertThat(pairSlices.size()).isGreaterThanOrEqualTo(2 * rounds);
            int repeats = 0;
            for (int i = 1; i < pairSlices.size(); i++) {
                if (pairSlices.get(i).pid.equals(pairSlices.get(i - 1).pid)) {
                    repeats++;
                }
            }
            assertThat(repeats).as("consecutive slices of the same thread").isLessThanOrEqualTo(pairSlices.size() / 10);

            // Wake arrows: each "s" has its "f", and they go from one of the pair to the other, both ways.
            Map<Long, JsonNode> starts = new HashMap<>();
            Map<Long, JsonNode> finishes = new HashMap<>();
            for (JsonNode e : root.get("traceEvents")) {
                String ph = e.get("ph").asText();
                if (ph.equals("s") && e.get("cat").asText().equals("wake")) {
                    starts.put(e.get("id").asLong(), e);
                } else if (ph.equals("f") && e.get("cat").asText().equals("wake")) {
                    assertThat(e.get("bp").asText()).isEqualTo("e");
                    finishes.put(e.get("id").asLong(), e);
                }
            }
            assertThat(finishes.keySet()).isEqualTo(starts.keySet());
            int pingToPong = 0;
            int pongToPing = 0;
            for (Map.Entry<Long, JsonNode> s : starts.entrySet()) {
                JsonNode f = finishes.get(s.getKey());
                Slice from = enclosing(all, s.getValue().get("tid").asInt(), nanos(s.getValue().get("ts")));
                Slice to = enclosing(all, f.get("tid").asInt(), nanos(f.get("ts")));
                assertThat(from).as("the slice around wake %s", s.getValue()).isNotNull();
                assertThat(to).as("the slice around wake end %s", f).isNotNull();
                assertThat(to.begin).isGreaterThanOrEqualTo(from.begin);
                if (from.pid.equals(ping) && to.pid.equals(pong)) {
                    pingToPong++;
                } else if (from.pid.equals(pong) && to.pid.equals(ping)) {
                    pongToPing++;
                }
            }
            assertThat(pingToPong).isGreaterThanOrEqualTo(rounds - 2);
            assertThat(pongToPing).isGreaterThanOrEqualTo(rounds - 2);

            // Carriers are named, and slices say how they were found and why they ended.
            boolean named = false;
            for (JsonNode e : root.get("traceEvents")) {
                if (e.get("ph").asText().equals("M") && e.get("name").asText().equals("thread_name")
                        && e.get("args").get("name").asText().equals("carrier-0")) {
                    named = true;
                }
                if (e.get("ph").asText().equals("X") && e.get("cat").asText().equals("slice")
                        && e.get("name").asText().startsWith("ping ")) {
                    assertThat(e.get("args").get("ended").asText()).isIn("park", "yield", "preempt", "exit");
                    assertThat(e.get("args").get("found").asText()).isIn("lifo", "local", "injected", "stolen", "yielded");
                }
            }
            assertThat(named).isTrue();
        }
    }

    @Test
    void slicesNeverOverlapOnACarrierOfABusyRuntimeAndEveryArrowHasBothEnds() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("trace-busy").build())) {
            TraceRecording trace = rt.startTrace();
            rt.run(() -> {
                List<GreenHandle<Integer>> hs = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    hs.add(Green.spawn(() -> {
                        int sum = 0;
                        for (int i = 0; i < 2_000; i++) {
                            if (i % 100 == 0) {
                                sum += Green.spawn(() -> 1).join();
                            }
                            Green.yield();
                        }
                        return sum;
                    }));
                }
                for (GreenHandle<Integer> h : hs) {
                    assertThat(h.join()).isEqualTo(20);
                }
                return null;
            });
            trace.stop();
            JsonNode root = parse(trace);
            List<Slice> all = slices(root);
            assertThat(all.size()).isGreaterThan(8 * 2_000);
            Map<Integer, Slice> last = new HashMap<>();
            for (Slice s : all) {
                Slice prev = last.put(s.tid, s);
                if (prev != null) {
                    assertThat(s.begin).as("slice %s overlaps %s", s, prev).isGreaterThanOrEqualTo(prev.end);
                }
            }
            // Arrows from off the carriers (rt.run's spawn from this thread) start in a
            // "source" event on their source lane: they count as slices there.
            List<Slice> withSources = new ArrayList<>(all);
            for (JsonNode e : root.get("traceEvents")) {
                if (e.get("ph").asText().equals("X") && e.get("cat").asText().equals("source")) {
                    long b = nanos(e.get("ts"));
                    withSources.add(new Slice(e.get("tid").asInt(), b, b + nanos(e.get("dur")), ""));
                }
            }
            withSources.sort((x, y) -> Long.compare(x.begin, y.begin));
            Map<Long, Integer> ends = new HashMap<>();
            for (JsonNode e : root.get("traceEvents")) {
                String ph = e.get("ph").asText();
                if (ph.equals("s") || ph.equals("f")) {
                    ends.merge(e.get("id").asLong(), ph.equals("s") ? 1 : 2, Integer::sum);
                    Slice around = enclosing(withSources, e.get("tid").asInt(), nanos(e.get("ts")));
                    assertThat(around).as("the slice around %s", e).isNotNull();
                }
            }
            assertThat(ends).isNotEmpty();
            assertThat(ends.values()).allMatch(v -> v == 3);
            // Queue depths: counter samples per carrier and for injection (the ticker's, once per tick at most).
            List<String> series = new ArrayList<>();
            for (JsonNode e : root.get("traceEvents")) {
                if (e.get("ph").asText().equals("C") && e.get("name").asText().equals("queue depth")) {
                    e.get("args").fieldNames().forEachRemaining(series::add);
                    assertThat(e.get("args").elements().next().asInt()).isNotNegative();
                }
            }
            assertThat(series).contains("carrier-0", "carrier-1", "injected");
        }
    }

    @Test
    void theFlightRecorderKeepsOnlyTheLastEvents() throws Exception {
        long bytes = 64 * 1024; // 2048 events per carrier
        int yields = 20_000;
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("trace-flight").flightRecorder(bytes).build())) {
            AtomicLong mark = new AtomicLong();
            rt.run(() -> {
                for (int i = 0; i < yields; i++) {
                    if (i == yields - 5_000) {
                        mark.set(System.nanoTime());
                    }
                    Green.yield();
                }
                return null;
            });
            TraceRecording rec = rt.flightRecording();
            assertThat(rec.isRecording()).isFalse();
            TraceData d = ((TraceSession) rec).data();
            int capacity = TraceSession.eventsFor(bytes);
            assertThat(d.counts()[0]).isBetween(capacity / 2, capacity);
            assertThat(rec.dropped()).isGreaterThanOrEqualTo(yields - capacity);
            long[] ev = d.lanes()[0];
            int sliceCount = 0;
            for (int k = 0; k < d.counts()[0]; k++) {
                int j = k * TraceRing.LONGS;
                if (TraceEvent.type(ev[j]) == TraceEvent.SLICE) {
                    sliceCount++;
                    assertThat(ev[j + 1]).as("only the last events are kept").isGreaterThan(mark.get());
                }
            }
            assertThat(sliceCount).isGreaterThan(capacity / 2);
            // It parses as a trace too.
            assertThat(parse(rec).get("traceEvents").size()).isGreaterThan(capacity / 2);
        }
    }

    @Test
    void aCollectorThatFallsBehindNeverBlocksACarrierAndCountsWhatItDropped() {
        int yields = 50_000;
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("trace-behind").build())) {
            // Rings of 64 events and a collector that looks once an hour: it is behind at once.
            TraceSession trace = TraceSession.start(rt.core(), 64, TimeUnit.HOURS.toNanos(1));
            long t0 = System.nanoTime();
            rt.run(() -> {
                for (int i = 0; i < yields; i++) {
                    Green.yield();
                }
                return null;
            });
            long took = System.nanoTime() - t0;
            trace.stop();
            assertThat(Duration.ofNanos(took)).isLessThan(Duration.ofSeconds(30));
            assertThat(trace.events()).isLessThanOrEqualTo(64 + 64);
            assertThat(trace.dropped()).isGreaterThanOrEqualTo(yields - 64);
            assertThat(trace.events() + trace.dropped()).isGreaterThanOrEqualTo(yields);
        }
    }

    @Test
    void aStoppedTraceKeepsItsEventsAndTheRuntimeStopsRecording() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("trace-stop").build())) {
            TraceRecording trace = rt.startTrace();
            rt.run(() -> Green.spawn(() -> 1).join());
            trace.close();
            long events = trace.events();
            assertThat(events).isGreaterThan(0);
            rt.run(() -> Green.spawn(() -> 2).join());
            assertThat(trace.events()).isEqualTo(events);
            assertThat(rt.core().scheduler.traceControl().rings()).as("rings removed after the last trace").isNull();
            // Spawn arrows go from the parent to the child's first slice.
            JsonNode root = parse(trace);
            boolean spawnArrow = false;
            for (JsonNode e : root.get("traceEvents")) {
                if (e.get("ph").asText().equals("f") && e.get("cat").asText().equals("spawn")) {
                    spawnArrow = true;
                }
            }
            assertThat(spawnArrow).isTrue();
        }
    }

    @Test
    void misuseFailsFastWithAClearMessage() {
        assertThatThrownBy(() -> Config.builder().flightRecorder(100)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("flightRecorder");
        Verdant rt = Verdant.start(Config.builder().workers(1).name("trace-misuse").build());
        try {
            assertThatThrownBy(rt::flightRecording).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("flightRecorder");
        } finally {
            rt.close();
        }
        assertThatThrownBy(rt::startTrace).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}
