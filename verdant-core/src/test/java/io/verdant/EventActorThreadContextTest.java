package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The thread context an event actor's handler runs in. Handlers run on
 * dispatcher green threads, which start on whichever thread's send first needs
 * one and then serve every actor: a dispatcher must not carry that sender's
 * inheritable thread locals (a request context, an inheritable security
 * context) into the handling of everyone else's messages; nor may a context
 * class loader, an uncaught-exception handler, a name or an interrupt one
 * actor's handler set on its thread and left reach the next actor's.
 */
@Timeout(60)
class EventActorThreadContextTest {
    private static final InheritableThreadLocal<String> REQUEST = new InheritableThreadLocal<>();

    @Test
    void handlersDoNotSeeTheInheritableLocalsOfTheSenderThatStartedTheirDispatcher() throws Exception {
        ClassLoader starter = Thread.currentThread().getContextClassLoader();
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("actor-ctx").build())) {
            BlockingQueue<String> seen = new LinkedBlockingQueue<>();
            GreenHandle<Integer> actor = Actors.spawner(rt).spawn(0, (Integer n, Object msg) -> {
                seen.add(msg + ":" + REQUEST.get()
                        + ":" + (Thread.currentThread().getContextClassLoader() == starter));
                return n + 1;
            });
            ClassLoader other = new ClassLoader(starter) { };
            Thread first = Thread.ofPlatform().start(() -> {
                REQUEST.set("request-1");
                Thread.currentThread().setContextClassLoader(other);
                rt.send(actor.pid(), "m1"); // the first message: its send starts a dispatcher
            });
            first.join();
            assertThat(seen.poll(20, TimeUnit.SECONDS)).isEqualTo("m1:null:true");
            Thread second = Thread.ofPlatform().start(() -> {
                REQUEST.set("request-2");
                rt.send(actor.pid(), "m2");
            });
            second.join();
            assertThat(seen.poll(20, TimeUnit.SECONDS)).as("another sender's message").isEqualTo("m2:null:true");
        }
    }

    @Test
    void aContextClassLoaderOneHandlerLeavesSetDoesNotReachAnotherActorsHandler() throws Exception {
        ClassLoader starter = Thread.currentThread().getContextClassLoader();
        ClassLoader plugin = new ClassLoader(starter) { };
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("actor-ccl").build())) {
            BlockingQueue<Thread> ran = new LinkedBlockingQueue<>();
            BlockingQueue<ClassLoader> seen = new LinkedBlockingQueue<>();
            GreenHandle<Integer> setter = Actors.spawner(rt).spawn(0, (Integer n, Object msg) -> {
                Thread.currentThread().setContextClassLoader(plugin); // and not restored
                ran.add(Thread.currentThread());
                return n + 1;
            });
            GreenHandle<Integer> other = Actors.spawner(rt).spawn(0, (Integer n, Object msg) -> {
                seen.add(Thread.currentThread().getContextClassLoader());
                ran.add(Thread.currentThread());
                return n + 1;
            });
            rt.send(setter.pid(), "set");
            Thread first = ran.poll(20, TimeUnit.SECONDS);
            rt.send(other.pid(), "read");
            assertThat(seen.poll(20, TimeUnit.SECONDS)).as("the other actor's handler sees the starter's loader")
                    .isSameAs(starter);
            assertThat(ran.poll(20, TimeUnit.SECONDS)).as("both handlers ran on one dispatcher").isSameAs(first);
        }
    }

    @Test
    void anUncaughtExceptionHandlerOneHandlerInstallsDoesNotBreakAnotherActorsHandler() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("actor-ueh").build())) {
            BlockingQueue<Thread> ran = new LinkedBlockingQueue<>();
            BlockingQueue<String> seen = new LinkedBlockingQueue<>();
            GreenHandle<Integer> installer = Actors.spawner(rt).spawn(0, (Integer n, Object msg) -> {
                // What a library does to the thread it finds itself on; not undone.
                Thread.currentThread().setUncaughtExceptionHandler((t, e) -> { });
                ran.add(Thread.currentThread());
                return n + 1;
            });
            GreenHandle<Integer> other = Actors.spawner(rt).spawn(0, (Integer n, Object msg) -> {
                ran.add(Thread.currentThread());
                try {
                    seen.add(String.valueOf(Green.self()));
                } catch (RuntimeException e) {
                    seen.add(e.toString());
                }
                return n + 1;
            });
            rt.send(installer.pid(), "install");
            Thread first = ran.poll(20, TimeUnit.SECONDS);
            rt.send(other.pid(), "who am I");
            assertThat(seen.poll(20, TimeUnit.SECONDS)).as("Green.self() in the other actor's handler")
                    .isEqualTo(String.valueOf(other.pid()));
            assertThat(ran.poll(20, TimeUnit.SECONDS)).as("both handlers ran on one dispatcher").isSameAs(first);
            assertThat(other.isDone()).isFalse();
        }
    }
    @Test
    void anUncaughtExceptionHandlerOneHandlerInstallsIsNotGivenAnotherActorsFailure() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("actor-ueh-failure").build())) {
            BlockingQueue<Thread> ran = new LinkedBlockingQueue<>();
            BlockingQueue<Throwable> caught = new LinkedBlockingQueue<>();
            GreenHandle<Integer> installer = Actors.spawner(rt).spawn(0, (Integer n, Object msg) -> {
                // A library's handler for its own failures, left on the thread it found itself on.
                Thread.currentThread().setUncaughtExceptionHandler((t, e) -> caught.add(e));
                ran.add(Thread.currentThread());
                return n + 1;
            });
            IllegalStateException boom = new IllegalStateException("the other actor's failure");
            GreenHandle<Integer> other = Actors.spawner(rt).spawn(0, (Integer n, Object msg) -> {
                ran.add(Thread.currentThread());
                throw boom;
            });
            java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
            other.onComplete((v, e) -> ended.countDown());
            rt.send(installer.pid(), "install");
            Thread first = ran.poll(20, TimeUnit.SECONDS);
            rt.send(other.pid(), "fail");
            assertThat(ended.await(20, TimeUnit.SECONDS)).as("the other actor ended").isTrue();
            assertThat(ran.poll(20, TimeUnit.SECONDS)).as("both handlers ran on one dispatcher").isSameAs(first);
            assertThat(other.exceptionNow()).isSameAs(boom);
            assertThat(caught).as("the installer's handler got the other actor's failure").isEmpty();
            assertThat(installer.isDone()).isFalse();
        }
    }

    @Test
    void aThreadNameOneHandlerSetsDoesNotReachAnotherActorsHandler() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("actor-name").build())) {
            BlockingQueue<Thread> ran = new LinkedBlockingQueue<>();
            BlockingQueue<String> seen = new LinkedBlockingQueue<>();
            GreenHandle<Integer> renamer = Actors.spawner(rt).spawn(0, (Integer n, Object msg) -> {
                seen.add(Thread.currentThread().getName());
                // What code that names "its" thread for its logs does; not undone.
                Thread.currentThread().setName("renamer-was-here");
                ran.add(Thread.currentThread());
                return n + 1;
            });
            GreenHandle<Integer> other = Actors.spawner(rt).spawn(0, (Integer n, Object msg) -> {
                seen.add(Thread.currentThread().getName());
                ran.add(Thread.currentThread());
                return n + 1;
            });
            rt.send(renamer.pid(), "rename");
            String before = seen.poll(20, TimeUnit.SECONDS);
            Thread first = ran.poll(20, TimeUnit.SECONDS);
            assertThat(before).as("the dispatcher's own name").isEqualTo("verdant-dispatcher");
            rt.send(other.pid(), "who runs me");
            assertThat(seen.poll(20, TimeUnit.SECONDS)).as("the thread name in the other actor's handler")
                    .isEqualTo("verdant-dispatcher");
            assertThat(ran.poll(20, TimeUnit.SECONDS)).as("both handlers ran on one dispatcher").isSameAs(first);
            rt.send(renamer.pid(), "again");
            assertThat(seen.poll(20, TimeUnit.SECONDS)).as("the renamer's own next turn starts with it too")
                    .isEqualTo("verdant-dispatcher");
        }
    }

    @Test
    void anInterruptOneHandlerLeavesSetDoesNotReachAnotherActorsHandler() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("actor-intr").build())) {
            BlockingQueue<Thread> ran = new LinkedBlockingQueue<>();
            BlockingQueue<Boolean> seen = new LinkedBlockingQueue<>();
            GreenHandle<Integer> interrupter = Actors.spawner(rt).spawn(0, (Integer n, Object msg) -> {
                Thread.currentThread().interrupt(); // and not cleared
                ran.add(Thread.currentThread());
                return n + 1;
            });
            GreenHandle<Integer> other = Actors.spawner(rt).spawn(0, (Integer n, Object msg) -> {
                seen.add(Thread.currentThread().isInterrupted());
                ran.add(Thread.currentThread());
                return n + 1;
            });
            rt.send(interrupter.pid(), "interrupt");
            Thread first = ran.poll(20, TimeUnit.SECONDS);
            rt.send(other.pid(), "am I interrupted");
            assertThat(seen.poll(20, TimeUnit.SECONDS)).as("the other actor's handler sees no interrupt").isFalse();
            assertThat(ran.poll(20, TimeUnit.SECONDS)).as("both handlers ran on one dispatcher").isSameAs(first);
            assertThat(other.isDone()).isFalse();
        }
    }
}
