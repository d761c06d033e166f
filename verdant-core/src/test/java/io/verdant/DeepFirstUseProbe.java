package io.verdant;

import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * Run by {@link DeepFirstUseTest} in a fresh JVM, so that no Verdant class has
 * been used yet but by the runtime's start: a green thread recurses until its
 * stack overflows, then, on the way back, makes the JVM's first use of one API
 * (system property probe.api) at every depth from 100 to 2000 frames above the deepest point (a
 * class initialised there can overflow in its static initialiser, which leaves
 * it erroneous for good). Then it uses that API again on a shallow stack and
 * prints {@code <api> after-overflow ok}, or the error it got.
 */
public final class DeepFirstUseProbe {

    private DeepFirstUseProbe() {
    }

    record Ask(ReplyTo<Integer> replyTo) {
    }

    public static void main(String[] args) throws Exception {
        String api = System.getProperty("probe.api");
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("deep-first-use").build())) {
            boolean shallowMutex = api.equals("mutex");
            Mutex<Integer> mutex = shallowMutex ? new Mutex<>(0) : null;
            Channel<Integer> channel = api.equals("new-channel") ? null : Channel.bounded(1);
            GreenHandle<Void> answerer = rt.spawn(() -> {
                for (;;) {
                    Object m = Green.receive();
                    if (m instanceof Ask(ReplyTo<Integer> r)) {
                        r.reply(1);
                    } else {
                        return null;
                    }
                }
            });
            GreenHandle<Integer> done = rt.spawn(() -> 1);
            done.join(Duration.ofSeconds(5));
            Map<String, Function<Verdant, Object>> uses = Map.ofEntries(Map.entry("new-mutex", r -> new Mutex<>(1)),
                    Map.entry("new-channel", r -> Channel.bounded(1)),
                    Map.entry("scope", r -> Green.scope(s -> 1)),
                    Map.entry("blocking", r -> {
                        try {
                            return Green.blocking(() -> 1);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }),
                    Map.entry("send-after", r -> Green.sendAfter(Green.self(), "x", Duration.ofDays(1)).cancel()),
                    Map.entry("future-state", r -> done.asFuture().state()),
                    Map.entry("completable", r -> done.toCompletableFuture().isDone()),
                    Map.entry("spawn-actor", r -> Actors.spawn(0, (st, m) -> st).pid()),
                    Map.entry("dead-letter", r -> Green.send(done.pid(), "late")),
                    Map.entry("snapshot", r -> r.snapshot().threads().size()),
                    Map.entry("dump", r -> { StringBuilder b = new StringBuilder(); r.dump(b, DumpOptions.text()); return b.length(); }),
                    Map.entry("with-timeout", r -> Green.withTimeout(Duration.ofSeconds(5), () -> 1)),
                    Map.entry("mutex", r -> {
                        mutex.lock(Duration.ofSeconds(5)).close();
                        return null;
                    }),
                    Map.entry("select", r -> Select.<Integer>create().onReceive(channel, v -> v).orElse(() -> -1).select()),
                    Map.entry("channel-wait", r -> {
                        try {
                            return channel.receive(Duration.ofMillis(1));
                        } catch (TimedOutException expected) {
                            return null;
                        }
                    }),
                    Map.entry("call", r -> Green.<Integer>call(answerer.pid(), Ask::new, Duration.ofSeconds(5))),
                    Map.entry("receive-type", r -> Green.tryReceive(String.class)));
            Function<Verdant, Object> use = uses.get(api);
            int[] counts = new int[2]; // overflows, other errors
            rt.run(() -> {
                new Object() {
                    int deepest = -1;

                    void dive(int depth) {
                        try {
                            dive(depth + 1);
                        } catch (StackOverflowError e) {
                            deepest = Math.max(deepest, depth);
                        }
                        if (depth > deepest - 100 || depth < deepest - 2000) {
                            return;
                        }
                        try {
                            use.apply(rt);
                        } catch (StackOverflowError e) {
                            counts[0]++;
                        } catch (Throwable t) {
                            counts[1]++;
                        }
                    }
                }.dive(0);
                return null;
            });
            String after;
            try {
                rt.run(() -> use.apply(rt));
                after = "ok";
            } catch (Throwable t) {
                after = "broken " + t;
            }
            System.out.println(api + " after-overflow " + after + " (overflows " + counts[0] + ", errors " + counts[1] + ")");
            Green.send(answerer.pid(), "stop");
            answerer.join(Duration.ofSeconds(5));
        }
    }
}
