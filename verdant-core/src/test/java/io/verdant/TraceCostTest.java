package io.verdant;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cheap recording path of traces (issue 12, tracing cost): one clock read
 * per slice, so the slices of a carrier touch end to begin; how a task was found
 * and why its slice ended are derived in traced turns only, and still come out right.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TraceCostTest {

    /** A slice read back from the JSON: exact nanoseconds since the trace began. */
    record Slice(int tid, long begin, long end, String pid, String found, String ended) {
    }

    /** "12.345" microseconds (three decimals, exact) as nanoseconds. */
    static long nanos(JsonNode n) {
        return Math.round(n.asDouble() * 1000);
    }

    /** The slices and idle periods (pid "", ended "idle") of {@code trace}, by lane, then begin time. */
    static List<Slice> slices(TraceRecording trace) throws Exception {
        StringBuilder json = new StringBuilder();
        trace.writeChromeJson(json);
        JsonNode root = new ObjectMapper().readTree(json.toString());
        List<Slice> out = new ArrayList<>();
        for (JsonNode e : root.get("traceEvents")) {
            if (e.get("ph").asText().equals("X") && e.get("cat").asText().equals("slice")) {
                long b = nanos(e.get("ts"));
                JsonNode a = e.get("args");
                out.add(new Slice(e.get("tid").asInt(), b, b + nanos(e.get("dur")), a.get("pid").asText(),
                        a.get("found").asText(), a.get("ended").asText()));
            } else if (e.get("ph").asText().equals("X") && e.get("cat").asText().equals("idle")) {
                long b = nanos(e.get("ts"));
                out.add(new Slice(e.get("tid").asInt(), b, b + nanos(e.get("dur")), "", "", "idle"));
            }
        }
        out.sort((x, y) -> x.tid != y.tid ? Integer.compare(x.tid, y.tid) : Long.compare(x.begin, y.begin));
        return out;
    }

    @Test
    void aThreadYieldingAloneRunsInSlicesThatTouchEachEndingInAYield() throws Exception {
        int yields = 500;
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("trace-cost-yield").build())) {
            TraceRecording trace = rt.startTrace();
            Pid pid = rt.run(() -> {
                GreenHandle<Void> h = Green.spawner().name("yielder").spawn(() -> {
                    for (int i = 0; i < yields; i++) {
                        Green.yield();
                    }
                });
                h.join();
                return h.pid();
            });
            trace.stop();
            List<Slice> mine = slices(trace).stream().filter(s -> s.pid.equals(pid.toString())).toList();
            assertThat(mine).allSatisfy(s -> assertThat(s.tid).isZero());
            assertThat(mine).hasSize(yields + 1);
            // Every slice but the first was found on this carrier (its yielded slot or
            // its local queue, where the scheduler put the yielder), every slice but the
            // last yielded.
            assertThat(mine.subList(1, mine.size())).allSatisfy(s -> assertThat(s.found).isIn("yielded", "local"));
            assertThat(mine.subList(0, mine.size() - 1)).allSatisfy(s -> assertThat(s.ended).isEqualTo("yield"));
            assertThat(mine.get(mine.size() - 1).ended).isEqualTo("exit");
            // No clock read at a slice's begin: every slice of work found on its own carrier
            // begins exactly where the slice or idle period before it ended (with two reads per
            // slice there was a gap between them). Work taken from the injection queue or stolen
            // begins at a clock read of its own, after the wake-up that made it runnable.
            List<Slice> all = slices(trace);
            int touching = 0;
            for (int i = 1; i < all.size(); i++) {
                Slice s = all.get(i);
                Slice prev = all.get(i - 1);
                if (s.tid == prev.tid && !s.ended.equals("idle")) {
                    if (s.found.equals("injected") || s.found.equals("stolen")) {
                        assertThat(s.begin).as("%s begins after %s ended", s, prev).isGreaterThanOrEqualTo(prev.end);
                    } else {
                        assertThat(s.begin).as("%s begins where %s ended", s, prev).isEqualTo(prev.end);
                        touching++;
                    }
                }
            }
            assertThat(touching).isGreaterThanOrEqualTo(yields);
        }
    }

    @Test
    void aPingPongPairOnOneCarrierRunsFromTheLifoSlotAndEndsInParks() throws Exception {
        int rounds = 300;
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("trace-cost-pingpong").build())) {
            TraceRecording trace = rt.startTrace();
            Pid[] pair = rt.run(() -> {
                Channel<Integer> ping = Channel.rendezvous();
                Channel<Integer> pong = Channel.rendezvous();
                GreenHandle<Void> echo = Green.spawn(() -> {
                    for (int i = 0; i < rounds; i++) {
                        pong.send(ping.receive());
                    }
                });
                GreenHandle<Void> pinger = Green.spawn(() -> {
                    for (int i = 0; i < rounds; i++) {
                        ping.send(i);
                        pong.receive();
                    }
                });
                pinger.join();
                echo.join();
                return new Pid[] {pinger.pid(), echo.pid()};
            });
            trace.stop();
            List<Slice> all = slices(trace);
            List<Slice> pairSlices = all.stream()
                    .filter(s -> s.pid.equals(pair[0].toString()) || s.pid.equals(pair[1].toString())).toList();
            assertThat(pairSlices).hasSizeGreaterThan(2 * rounds);
            long lifo = pairSlices.stream().filter(s -> s.found.equals("lifo")).count();
            long parks = pairSlices.stream().filter(s -> s.ended.equals("park")).count();
            // Each wake-up goes to the LIFO slot and each side parks until answered; the
            // first slices (spawned: local queue) and the last (exit) are the exceptions.
            assertThat(lifo).isGreaterThanOrEqualTo(pairSlices.size() - 4);
            assertThat(parks).isGreaterThanOrEqualTo(pairSlices.size() - 2);
            assertThat(pairSlices.stream().filter(s -> s.ended.equals("exit")).count()).isEqualTo(2);
            // Slices on the carrier touch or follow one another, never overlap.
            for (int i = 1; i < all.size(); i++) {
                if (all.get(i).tid == all.get(i - 1).tid) {
                    assertThat(all.get(i).begin).isGreaterThanOrEqualTo(all.get(i - 1).end);
                }
            }
            // One event per slice: the wake-up each slice makes is folded into its SLICE
            // event (TraceEvent, "Folded wake-up"); the export still draws one arrow each.
            assertThat(trace.events()).as("events held").isLessThanOrEqualTo(all.size() + 10);
            StringBuilder json = new StringBuilder();
            trace.writeChromeJson(json);
            long arrows = 0;
            for (JsonNode e : new ObjectMapper().readTree(json.toString()).get("traceEvents")) {
                if (e.get("ph").asText().equals("s") && e.get("cat").asText().equals("wake")) {
                    arrows++;
                }
            }
            assertThat(arrows).isGreaterThanOrEqualTo(pairSlices.size() - 4);
        }
    }
}
