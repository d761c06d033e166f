package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Verdant#threadFactory()}: Thread objects that are green threads once started. */
@Timeout(60)
class ThreadFactoryTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("tf").shutdownTimeout(Duration.ofSeconds(1)).build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    void aThreadFromTheFactoryIsAGreenThreadOnceStarted() throws Exception {
        ThreadFactory f = rt.spawner().name("io-", 1).priority(Priority.LOW).threadFactory();
        AtomicReference<String> seen = new AtomicReference<>();
        Thread t = f.newThread(() -> seen.set(Green.isGreen() + " " + Green.priority() + " "
                + Thread.currentThread().getName() + " " + Green.runtime().name()));
        assertThat(t.getState()).isEqualTo(Thread.State.NEW);
        assertThat(t.isVirtual()).isTrue();
        assertThat(t.getName()).isEqualTo("io-1");
        t.start();
        t.join(Duration.ofSeconds(10));
        assertThat(seen.get()).isEqualTo("true LOW io-1 tf");
        Thread second = f.newThread(() -> { });
        assertThat(second.getName()).isEqualTo("io-2");
        second.start();
        second.join(Duration.ofSeconds(10));
    }

    @Test
    void jdkExecutorsBuiltOnTheFactoryRunGreenThreads() throws Exception {
        try (ExecutorService perTask = Executors.newThreadPerTaskExecutor(rt.threadFactory())) {
            assertThat(perTask.submit(Green::isGreen).get(10, TimeUnit.SECONDS)).isTrue();
        }
        ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                rt.spawner().name("pool-", 0).threadFactory());
        try {
            assertThat(pool.submit(() -> Green.isGreen() + " " + Thread.currentThread().getName())
                    .get(10, TimeUnit.SECONDS)).startsWith("true pool-");
        } finally {
            pool.shutdown();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void newThreadReturnsNullOnceTheRuntimeIsClosed() {
        ThreadFactory f = rt.threadFactory();
        rt.close();
        assertThat(f.newThread(() -> { })).isNull();
    }

    @Test
    void aThreadNeverStartedCountsAsLiveUntilTheRuntimeCloses() {
        long before = rt.liveThreads();
        Thread never = rt.threadFactory().newThread(() -> { });
        assertThat(never.getState()).isEqualTo(Thread.State.NEW);
        assertThat(rt.liveThreads()).isEqualTo(before + 1);
        rt.close(); // waits shutdownTimeout (1 s) for it, then abandons it
        assertThat(rt.isClosed()).isTrue();
    }

    @Test
    void aThreadStartedTwiceThrowsAndRunsOnce() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Thread t = rt.threadFactory().newThread(runs::incrementAndGet);
        t.start();
        assertThatThrownBy(t::start).isInstanceOf(IllegalThreadStateException.class);
        assertThat(t.join(Duration.ofSeconds(10))).isTrue();
        assertThatThrownBy(t::start).isInstanceOf(IllegalThreadStateException.class);
        assertThat(runs.get()).isEqualTo(1);
    }

    /**
     * A thread made before close and started after it (a library's pool starting a
     * worker late): start() used to return as if the thread ran, and the thread
     * stayed RUNNABLE for ever, never running, so join() never returned and a
     * ThreadPoolExecutor built on the factory counted a worker that did not exist.
     * Now start() throws RejectedExecutionException and the thread is terminated,
     * as for any virtual thread whose scheduler refuses it.
     */
    @Test
    void aThreadStartedAfterTheRuntimeClosedIsRejectedAndTerminates() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Thread late = rt.threadFactory().newThread(runs::incrementAndGet);
        rt.close(); // abandons the unstarted thread after shutdownTimeout (1 s)
        assertThatThrownBy(late::start).isInstanceOf(RejectedExecutionException.class);
        assertThat(late.join(Duration.ofSeconds(10))).isTrue();
        assertThat(late.getState()).isEqualTo(Thread.State.TERMINATED);
        assertThat(runs.get()).isZero();
    }

    @Test
    void badInput() {
        assertThatThrownBy(() -> rt.threadFactory().newThread(null)).isInstanceOf(NullPointerException.class);
    }
}
