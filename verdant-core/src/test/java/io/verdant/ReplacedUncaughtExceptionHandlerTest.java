package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Code in a green thread that replaces its thread's uncaught-exception handler,
 * as libraries do (Guava's ThreadFactoryBuilder sets one on every thread it
 * makes; a framework sets one on the thread it finds itself on). Verdant finds
 * the current green thread through that handler: every Verdant operation must
 * still work after the replacement, and the replacing handler is called, as
 * the JDK calls it, when the thread's body ends by throwing (not when it is
 * cancelled, not for a task submitted to an executor, whose future has it).
 */
@Timeout(60)
class ReplacedUncaughtExceptionHandlerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** What each thread throws at the end of {@link #workout}. */
    static final class Boom extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Boom() {
            super("boom");
        }
    }

    /** A handler that records what it was given. */
    static final class Recording implements Thread.UncaughtExceptionHandler {
        final BlockingQueue<Throwable> seen = new LinkedBlockingQueue<>();
        final BlockingQueue<Thread> threads = new LinkedBlockingQueue<>();

        @Override
        public void uncaughtException(Thread t, Throwable e) {
            threads.add(t);
            seen.add(e);
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    /**
     * Verdant operations of a green thread whose handler was replaced: self,
     * a channel, a mailbox receive (unless {@code mailbox} is false: an event
     * actor's handler), a join, a cancellation; then throws a {@link Boom}.
     */
    static void workout(boolean mailbox) {
        Pid me = Green.self();
        check(me != null, "Green.self()");
        Channel<String> ch = Channel.rendezvous();
        GreenHandle<Void> sender = Green.spawn(() -> {
            ch.send("on the channel");
            if (mailbox) {
                Green.send(me, "in the mailbox");
            }
        });
        check("on the channel".equals(ch.receive()), "channel receive");
        if (mailbox) {
            check("in the mailbox".equals(Green.receive(WAIT)), "mailbox receive");
        }
        sender.join(WAIT);
        GreenHandle<Object> sleeper = Green.spawn(() -> Channel.rendezvous().receive());
        sleeper.cancel();
        try {
            sleeper.join(WAIT);
            check(false, "join of a cancelled thread returned");
        } catch (GreenFailedException e) {
            check(e.getCause() instanceof CancelledException, "cancelled child's failure: " + e.getCause());
        }
        check(!Green.cancelled(), "Green.cancelled()");
        Green.checkpoint();
        throw new Boom();
    }

    @Test
    void aGreenThreadThatReplacesItsHandlerKeepsWorkingAndItsHandlerGetsTheFailure() {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("ueh-green").build())) {
            Recording handler = new Recording();
            GreenHandle<Thread> h = rt.spawn(() -> {
                Thread.currentThread().setUncaughtExceptionHandler(handler);
                workout(true);
                return null;
            });
            assertThatThrownBy(() -> h.join(WAIT)).isInstanceOf(GreenFailedException.class)
                    .cause().isInstanceOf(Boom.class);
            assertThat(handler.seen).singleElement().isInstanceOf(Boom.class);
        }
    }

    @Test
    void aThreadCancelledAfterReplacingItsHandlerEndsCancelledWithoutCallingIt() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("ueh-cancel").build())) {
            Recording handler = new Recording();
            CountDownLatch installed = new CountDownLatch(1);
            GreenHandle<Object> h = rt.spawn(() -> {
                Thread.currentThread().setUncaughtExceptionHandler(handler);
                installed.countDown();
                return Green.receive();
            });
            assertThat(installed.await(20, TimeUnit.SECONDS)).isTrue();
            h.cancel();
            assertThatThrownBy(() -> h.join(WAIT)).isInstanceOf(GreenFailedException.class)
                    .cause().isInstanceOf(CancelledException.class);
            assertThat(handler.seen).isEmpty();
        }
    }

    @Test
    void anExecutorTaskThatReplacesItsThreadsHandlerKeepsWorking() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("ueh-exec").build())) {
            Recording executed = new Recording();
            rt.executor().execute(() -> {
                Thread.currentThread().setUncaughtExceptionHandler(executed);
                workout(true);
            });
            assertThat(executed.seen.poll(20, TimeUnit.SECONDS)).as("execute: the task's failure")
                    .isInstanceOf(Boom.class);

            Recording submitted = new Recording();
            Future<?> f = rt.executor().submit(() -> {
                Thread.currentThread().setUncaughtExceptionHandler(submitted);
                workout(true);
            });
            assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(Boom.class);
            assertThat(submitted.seen).as("submit: the future has the failure, as with a JDK executor").isEmpty();
        }
    }

    @Test
    void aThreadFromAFactoryWrapperThatSetsAHandlerIsAWorkingGreenThread() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("ueh-factory").build())) {
            Recording handler = new Recording();
            ThreadFactory base = rt.threadFactory();
            // What Guava's ThreadFactoryBuilder.setThreadFactory(base).setUncaughtExceptionHandler(h) makes.
            ThreadFactory wrapper = r -> {
                Thread t = base.newThread(r);
                t.setUncaughtExceptionHandler(handler);
                return t;
            };
            Thread t = wrapper.newThread(() -> workout(true));
            t.start();
            assertThat(t.join(WAIT)).isTrue();
            assertThat(handler.seen).singleElement().isInstanceOf(Boom.class);
            assertThat(handler.threads).singleElement().isSameAs(t);
        }
    }

    @Test
    void anEventActorsHandlerThatReplacesTheHandlerKeepsWorkingForTheRestOfItsTurn() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("ueh-actor").build())) {
            Recording handler = new Recording();
            BlockingQueue<Object> self = new LinkedBlockingQueue<>();
            GreenHandle<Integer> actor = Actors.spawner(rt).spawn(0, (Integer n, Object msg) -> {
                Thread.currentThread().setUncaughtExceptionHandler(handler);
                self.add(Green.self());
                workout(false);
                return n + 1;
            });
            rt.send(actor.pid(), "go");
            assertThatThrownBy(() -> actor.join(WAIT)).isInstanceOf(GreenFailedException.class)
                    .cause().isInstanceOf(Boom.class);
            assertThat(self.poll()).isEqualTo(actor.pid());
            assertThat(handler.seen).singleElement().isInstanceOf(Boom.class);
        }
    }

    @Test
    void aDeterministicGreenThreadThatReplacesItsHandlerKeepsWorking() {
        Recording handler = new Recording();
        String outcome = DetRuns.runDet(Determinism.seed(7), () -> {
            GreenHandle<Object> h = Green.spawn(() -> {
                Thread.currentThread().setUncaughtExceptionHandler(handler);
                workout(true);
                return null;
            });
            try {
                h.join(WAIT);
                return "returned";
            } catch (GreenFailedException e) {
                return String.valueOf(e.getCause());
            }
        }, null);
        assertThat(outcome).isEqualTo(new Boom().toString());
        assertThat(handler.seen).singleElement().isInstanceOf(Boom.class);
    }
    @Test
    void aFailureGivenToTheThreadsOwnHandlerCountsAsObserved() {
        // No failure handler: an unobserved failure would fail the schedule (Determinism.failOnUnjoinedFailure).
        Config plain = Config.builder().deadLetterHandler((p, m) -> { }).build();
        Recording handler = new Recording();
        try (Verdant rt = Verdant.deterministic(plain, Determinism.seed(3))) {
            Integer done = rt.run(() -> {
                Green.spawn(() -> {
                    Thread.currentThread().setUncaughtExceptionHandler(handler);
                    throw new Boom();
                });
                Green.sleep(Duration.ofSeconds(1)); // the child has failed, unjoined
                return 1;
            });
            assertThat(done).isEqualTo(1);
        }
        assertThat(handler.seen).singleElement().isInstanceOf(Boom.class);
    }
}
