package io.verdant;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Run by {@link DeepFirstUseTest} in a fresh JVM, so that no Verdant class has
 * been used yet but by the runtime's start: a green thread recurses until its
 * stack overflows, then, on the way back, makes the JVM's first use of one API
 * (system property probe.api; with probe.preload=true, Verdant's classes are
 * loaded, not initialised, first) at every depth from 100 to 2000 frames above the deepest point (a
 * class initialised there can overflow in its static initialiser, which leaves
 * it erroneous for good). Then it uses that API again on a shallow stack and
 * prints {@code <api> after-overflow ok}, or the error it got.
 */
public final class DeepFirstUseProbe {

    private DeepFirstUseProbe() {
    }

    /** The first use is tried from this many frames above the deepest point (property probe.nearest). */
    private static final int NEAREST = Integer.getInteger("probe.nearest", 100);
    private static volatile String marker = "deep";
    private static final System.Logger VERDANT_LOG = System.getLogger("io.verdant");

    record Ask(ReplyTo<Integer> replyTo) {
    }

    /** Cancels a token whose callback throws: Verdant logs that (on a green thread, through OffThreadLog). */
    private static Object cancelWithAFailingCallback(Verdant rt) {
        CancelToken t = CancelToken.create();
        t.onCancel(() -> {
            throw new IllegalStateException(marker);
        });
        t.cancel();
        return null;
    }

    /**
     * Deep: the log call a failing callback, a dead letter or a supervisor restart
     * ends in, with nothing else on top of it. After: a failing callback's record.
     */
    private static Object greenLog(Verdant rt) {
        if (marker.equals("deep")) {
            io.verdant.internal.OffThreadLog.log(VERDANT_LOG, System.Logger.Level.INFO, "deep", null);
            return null;
        }
        return cancelWithAFailingCallback(rt);
    }

    /**
     * Loads (does not initialise) every class of Verdant's main code, as an AOT or
     * CDS cache does at the JVM's start: its first initialisation then needs no
     * stack for loading first, which fails harmlessly (it is retried).
     */
    private static void preloadVerdantClasses() throws Exception {
        java.nio.file.Path root = java.nio.file.Path.of(Verdant.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(root)) {
            for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files::iterator) {
                String n = root.relativize(f).toString();
                if (n.endsWith(".class") && !n.endsWith("module-info.class") && !n.endsWith("package-info.class")) {
                    String name = n.substring(0, n.length() - ".class".length()).replace(java.io.File.separatorChar, '.');
                    Class.forName(name, false, DeepFirstUseProbe.class.getClassLoader());
                }
            }
        }
    }

    public static void main(String[] args) throws Exception {
        String api = System.getProperty("probe.api");
        // Records of Verdant's "io.verdant" logger are counted here, not printed.
        CountDownLatch afterLogged = new CountDownLatch(1);
        Logger log = Logger.getLogger("io.verdant");
        log.setUseParentHandlers(false);
        log.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getThrown() != null && "after".equals(r.getThrown().getMessage())) {
                    afterLogged.countDown();
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("deep-first-use").build())) {
            boolean shallowMutex = api.equals("mutex") || api.equals("mutex-busy");
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
            done.join(Duration.ofSeconds(20));
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
                    Map.entry("self", r -> Green.self().toString()),
                    Map.entry("state", r -> done.state()),
                    Map.entry("bounded-mailbox", r -> Mailbox.bounded(4, Mailbox.Overflow.FAIL)),
                    Map.entry("blocking-mailbox", r -> Green.spawner().mailbox(Mailbox.blocking(4, Duration.ofSeconds(1))).spawn(() -> 1).join(Duration.ofSeconds(20))),
                    Map.entry("child-spec", r -> Supervisor.ChildSpec.of("c", () -> 1)),
                    Map.entry("supervisor-builder", r -> Supervisor.builder()),
                    Map.entry("task-scope", r -> {
                        try (TaskScope<Integer, java.util.List<Integer>> ts = TaskScope.open()) {
                            ts.fork(() -> 1);
                            return ts.join();
                        }
                    }),
                    Map.entry("executor", r -> {
                        java.util.concurrent.ExecutorService e = Green.spawner().executor();
                        e.shutdown();
                        return e;
                    }),
                    Map.entry("receive-filter", r -> Green.tryReceive(m -> false)),
                    Map.entry("registry", r -> r.registry().whereis("nobody")),
                    Map.entry("event-child", r -> Actors.childSpec("e", () -> 0, (st, m) -> st)),
                    Map.entry("mutex-busy", r -> {
                        try {
                            mutex.lock(Duration.ZERO).close();
                            throw new AssertionError("the mutex is held by main");
                        } catch (TimedOutException expected) {
                            return expected;
                        }
                    }),
                    Map.entry("token-string", r -> CancelToken.create().toString()),
                    Map.entry("cancel-callback-log", DeepFirstUseProbe::cancelWithAFailingCallback),
                    Map.entry("green-log-writer", DeepFirstUseProbe::greenLog),
                    Map.entry("green-log", DeepFirstUseProbe::greenLog),
                    Map.entry("dead-letter", r -> Green.send(done.pid(), "late")),
                    Map.entry("snapshot", r -> r.snapshot().threads().size()),
                    Map.entry("dump", r -> { StringBuilder b = new StringBuilder(); r.dump(b, DumpOptions.text()); return b.length(); }),
                    Map.entry("with-timeout", r -> Green.withTimeout(Duration.ofSeconds(20), () -> 1)),
                    Map.entry("mutex", r -> {
                        mutex.lock(Duration.ofSeconds(20)).close();
                        return null;
                    }),
                    Map.entry("select", r -> Select.<Integer>create().onReceive(channel, v -> v).orElse(() -> -1).select()),
                    Map.entry("select-timeout", r -> Select.<Integer>create().onReceive(channel, v -> v)
                            .onTimeout(Duration.ofMillis(1), () -> -1).select()),
                    Map.entry("channel-wait", r -> {
                        try {
                            return channel.receive(Duration.ofMillis(1));
                        } catch (TimedOutException expected) {
                            return null;
                        }
                    }),
                    Map.entry("call", r -> Green.<Integer>call(answerer.pid(), Ask::new, Duration.ofSeconds(20))),
                    Map.entry("receive-type", r -> Green.tryReceive(String.class)));
            Function<Verdant, Object> use = uses.get(api);
            if (Boolean.getBoolean("probe.preload")) {
                preloadVerdantClasses();
            }
            if (api.startsWith("green-log")) {
                // Loaded up front: loading from the class path needs more stack than what follows, so a first
                // load deep in the stack would overflow before reaching what is tried. green-log-writer also
                // initialises the class, to try the start of its writer thread alone.
                Class.forName("io.verdant.internal.OffThreadLog", api.equals("green-log-writer"),
                        DeepFirstUseProbe.class.getClassLoader());
            }
            if (!api.equals("cancel-callback-log") && !api.startsWith("green-log")) {
                afterLogged.countDown();
            }
            Mutex.Guard<Integer> held = api.equals("mutex-busy") ? mutex.lock(Duration.ofSeconds(20)) : null;
            IntConsumer firstUse = i -> use.apply(rt);
            NearStackEnd.Counts ends = rt.run(() -> NearStackEnd.call(NEAREST, 1, Integer.MAX_VALUE, firstUse));
            String after;
            try {
                marker = "after";
                rt.run(() -> use.apply(rt));
                after = afterLogged.await(20, TimeUnit.SECONDS) ? "ok" : "broken: a green thread's log record was never written";
            } catch (Throwable t) {
                after = "broken " + t;
            }
            if (held != null) {
                held.close();
            }
            System.out.println(api + " after-overflow " + after + " (overflows " + ends.overflows + ", errors " + ends.others + ")");
            Green.send(answerer.pid(), "stop");
            answerer.join(Duration.ofSeconds(20));
        }
    }
}
