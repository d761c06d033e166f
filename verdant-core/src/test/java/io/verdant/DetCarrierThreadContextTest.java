package io.verdant;

import io.verdant.internal.det.DetCarrier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The carrier of deterministic runtimes (DetCarrier) is started by whichever
 * thread's rt.run first needs one and then serves the deterministic runtimes
 * that follow, whoever starts them. It must not carry that first thread's
 * inheritable thread locals (a request context) or context class loader (a
 * plugin's, which it would also keep from being collected) into the green
 * threads it spawns for later runtimes: here, the one that runs the
 * deadLetterHandler for a timer's send.
 */
@Timeout(60)
class DetCarrierThreadContextTest {
    private static final InheritableThreadLocal<String> REQUEST = new InheritableThreadLocal<>();

    @Test
    void aLaterRuntimesHandlerSeesNothingOfTheThreadThatStartedTheCarrier() throws Exception {
        BlockingQueue<String> requests = new LinkedBlockingQueue<>();
        BlockingQueue<ClassLoader> loaders = new LinkedBlockingQueue<>();
        // A stack size of its own: carriers are pooled per stack size, so this test's is
        // started here and no other test's is taken.
        Config config = Config.builder().failureHandler((h, t) -> { }).stackSize(16L * 1024 * 1024 + 3 * 4096)
                .deadLetterHandler((pid, msg) -> {
                    requests.add(String.valueOf(REQUEST.get()));
                    loaders.add(Thread.currentThread().getContextClassLoader());
                }).build();
        ClassLoader plugin = new ClassLoader(getClass().getClassLoader()) { };
        AtomicReference<Throwable> firstFailed = new AtomicReference<>();
        DetCarrier.endIdle(); // so the first runtime below starts a carrier (also when the test is run again)
        long startedBefore = DetCarrier.started();
        Thread first = Thread.ofPlatform().start(() -> {
            REQUEST.set("first request");
            Thread.currentThread().setContextClassLoader(plugin);
            try (Verdant rt = Verdant.deterministic(config, Determinism.seed(1))) {
                rt.run(() -> "started the carrier");
            } catch (Throwable t) {
                firstFailed.set(t);
            }
        });
        first.join(20_000);
        assertThat(first.isAlive()).isFalse();
        assertThat(firstFailed.get()).isNull();
        assertThat(DetCarrier.started()).as("the first runtime started a carrier").isEqualTo(startedBefore + 1);
        ClassLoader mine = Thread.currentThread().getContextClassLoader();
        assertThat(mine).isNotSameAs(plugin);
        try (Verdant rt = Verdant.deterministic(config, Determinism.seed(1))) {
            rt.run(() -> {
                GreenHandle<Void> gone = Green.spawn(() -> { });
                gone.join();
                Green.sendAfter(gone.pid(), "late", Duration.ofMillis(1)); // fires on the carrier
                Green.sleep(Duration.ofMillis(10));
                return null;
            });
        }
        assertThat(DetCarrier.started()).as("the second runtime reused that carrier").isEqualTo(startedBefore + 1);
        assertThat(requests.poll(20, TimeUnit.SECONDS)).as("the first thread's request").isEqualTo("null");
        assertThat(loaders.poll(20, TimeUnit.SECONDS)).as("the first thread's loader").isNotSameAs(plugin);
    }
}
