package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A virtual thread started inside a green thread (a library's background
 * worker, started lazily by the first green thread that used the library)
 * takes that green thread as its scheduler for good. Closing the runtime must
 * not strand it: once the carriers are gone it runs on the JDK's default
 * scheduler, so a value handed to it after close is still processed.
 */
@Timeout(60)
class ForeignThreadAfterCloseTest {
    @Test
    void aVirtualThreadStartedInAGreenThreadKeepsRunningAfterTheRuntimeCloses() throws Exception {
        SynchronousQueue<String> requests = new SynchronousQueue<>();
        BlockingQueue<String> done = new LinkedBlockingQueue<>();
        CountDownLatch parked = new CountDownLatch(1);
        Thread worker;
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("foreign-close").build())) {
            worker = rt.run(() -> Thread.ofVirtual().name("library-worker").start(() -> {
                try {
                    for (;;) {
                        parked.countDown();
                        done.add(requests.take() + " done");
                    }
                } catch (InterruptedException e) {
                    done.add("stopped");
                }
            }));
            requests.put("before close");
            assertThat(done.poll(20, TimeUnit.SECONDS)).isEqualTo("before close done");
            assertThat(parked.await(20, TimeUnit.SECONDS)).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (worker.getState() != Thread.State.WAITING) { // parked in take(), not queued
                assertThat(System.nanoTime()).as("the worker parked in time").isLessThan(deadline);
                Thread.sleep(1);
            }
        }
        try {
            requests.put("after close"); // hands the value to the parked worker and unparks it
            assertThat(done.poll(20, TimeUnit.SECONDS)).as("the worker ran after close").isEqualTo("after close done");
        } finally {
            worker.interrupt();
        }
        assertThat(worker.join(Duration.ofSeconds(20))).as("the worker ended").isTrue();
        assertThat(done.poll(20, TimeUnit.SECONDS)).isEqualTo("stopped");
    }
}
