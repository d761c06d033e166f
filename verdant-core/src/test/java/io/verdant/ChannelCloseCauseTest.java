package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Channel.close(cause) and Select.onClosed. */
@Timeout(60)
class ChannelCloseCauseTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("close-cause").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    void receiversGetTheCauseAfterTheBufferDrains() {
        Channel<Integer> ch = Channel.bounded(4);
        ch.send(1);
        IllegalStateException why = new IllegalStateException("producer failed");
        assertThat(ch.close(why)).isTrue();
        assertThat(ch.close(new RuntimeException("second"))).isFalse();
        assertThat(ch.close()).isFalse();
        assertThat(ch.closeCause()).containsSame(why);
        assertThat(ch.receive()).isEqualTo(1);
        assertThatThrownBy(ch::receive).isInstanceOf(ChannelClosedException.class).hasCauseReference(why);
        assertThatThrownBy(() -> ch.send(2)).isInstanceOf(ChannelClosedException.class).hasCauseReference(why);
        assertThatThrownBy(ch::tryReceive).isInstanceOf(ChannelClosedException.class).hasCauseReference(why);
    }

    @Test
    void iterationEndsAfterAPlainCloseButThrowsTheCauseAfterAFailedProducersClose() {
        Channel<Integer> done = Channel.bounded(4);
        done.send(1);
        done.send(2);
        done.close();
        java.util.List<Integer> got = new java.util.ArrayList<>();
        for (int v : done) {
            got.add(v);
        }
        assertThat(got).containsExactly(1, 2);

        Channel<Integer> failed = Channel.bounded(4);
        failed.send(1);
        IllegalStateException why = new IllegalStateException("producer failed");
        failed.close(why);
        java.util.Iterator<Integer> it = failed.iterator();
        assertThat(it.hasNext()).isTrue();
        assertThat(it.next()).isEqualTo(1);
        assertThatThrownBy(it::hasNext).as("drained: the consumer learns why the stream stopped")
                .isInstanceOf(ChannelClosedException.class).hasCauseReference(why);
    }

    @Test
    void aWaitingReceiverGetsTheCause() throws Exception {
        Channel<Integer> ch = Channel.rendezvous();
        CountDownLatch waiting = new CountDownLatch(1);
        GreenHandle<Object> r = rt.spawn(() -> {
            waiting.countDown();
            try {
                return ch.receive();
            } catch (ChannelClosedException e) {
                return e.getCause();
            }
        });
        assertThat(waiting.await(20, TimeUnit.SECONDS)).isTrue();
        RuntimeException why = new RuntimeException("stop");
        ch.close(why);
        assertThat(r.join()).isSameAs(why);
    }

    @Test
    void plainCloseHasNoCause() {
        Channel<Integer> ch = Channel.unbounded();
        assertThat(ch.closeCause()).isEmpty();
        ch.close();
        assertThat(ch.closeCause()).isEmpty();
        assertThatThrownBy(ch::receive).isInstanceOf(ChannelClosedException.class).hasNoCause();
        assertThatThrownBy(() -> ch.close(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("cause");
    }

    @Test
    void selectReportsAClosedChannelAsAnOutcome() {
        Channel<String> jobs = Channel.bounded(2);
        Channel<String> other = Channel.rendezvous();
        jobs.send("a");
        jobs.close(new IllegalStateException("no more"));
        Select<String> sel = Select.<String>create()
                .onReceive(jobs, j -> "job " + j)
                .onReceive(other, o -> "other " + o)
                .onClosed(jobs, closed -> "closed: " + closed.getCause().getMessage());
        assertThat(sel.select()).isEqualTo("job a");
        assertThat(sel.select()).isEqualTo("closed: no more");
    }

    @Test
    void aWaitingSelectSeesTheCloseAsAnOutcome() throws Exception {
        Channel<String> ch = Channel.rendezvous();
        CountDownLatch waiting = new CountDownLatch(1);
        GreenHandle<String> h = rt.spawn(() -> {
            waiting.countDown();
            return Select.<String>create()
                    .onReceive(ch, v -> v)
                    .onClosed(ch, e -> "closed by " + e.getCause().getMessage())
                    .select();
        });
        assertThat(waiting.await(20, TimeUnit.SECONDS)).isTrue();
        ch.close(new RuntimeException("main"));
        assertThat(h.join(Duration.ofSeconds(20))).isEqualTo("closed by main");
    }

    @Test
    void aSendCaseOnAClosedChannelUsesOnClosedToo() {
        Channel<String> ch = Channel.bounded(1);
        ch.close();
        String r = Select.<String>create()
                .onSend(ch, "x", () -> "sent")
                .onClosed(ch, e -> "closed")
                .select();
        assertThat(r).isEqualTo("closed");
    }

    @Test
    void withoutOnClosedTheSelectStillThrowsWithTheCause() {
        Channel<String> ch = Channel.bounded(1);
        RuntimeException why = new RuntimeException("why");
        ch.close(why);
        assertThatThrownBy(() -> Select.<String>create().onReceive(ch, v -> v).select())
                .isInstanceOf(ChannelClosedException.class).hasCauseReference(why);
    }

    @Test
    void badInput() {
        Channel<String> ch = Channel.bounded(1);
        Channel<String> unrelated = Channel.bounded(1);
        assertThatThrownBy(() -> Select.<String>create().onClosed(null, e -> "")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Select.<String>create().onClosed(ch, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Select.<String>create().onReceive(ch, v -> v).onClosed(unrelated, e -> "").select())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no send or receive case");
    }

    /**
     * The message of the ChannelClosedException names the close cause by its
     * toString(), user code: it runs after the channel's lock is released, so
     * another thread's operation on the channel goes through while it runs. It
     * used to run inside the send's or receive's critical section: a slow
     * toString() (one that logs, or builds a report) made every other operation
     * on the channel spin for as long as it ran, against the lock's rule that a
     * critical section never calls user code.
     */
    @Test
    void theCausesToStringRunsOutsideTheChannelsLock() {
        Channel<Integer> ch = Channel.bounded(1);
        AtomicBoolean armed = new AtomicBoolean();
        AtomicBoolean gotThrough = new AtomicBoolean();
        IllegalStateException why = new IllegalStateException("producer failed") {
            private static final long serialVersionUID = 1L;

            @Override
            public String toString() {
                if (armed.compareAndSet(true, false)) {
                    gotThrough.set(anotherOperationGetsThrough(ch));
                }
                return "producer failed (slow to print)";
            }
        };
        ch.close(why);
        armed.set(true);
        assertThatThrownBy(() -> ch.trySend(1)).isInstanceOf(ChannelClosedException.class).hasCauseReference(why);
        assertThat(gotThrough).as("another operation while a send's exception printed the cause").isTrue();
        armed.set(true);
        gotThrough.set(false);
        assertThatThrownBy(ch::tryReceive).isInstanceOf(ChannelClosedException.class).hasCauseReference(why);
        assertThat(gotThrough).as("another operation while a receive's exception printed the cause").isTrue();
    }

    /** A tryReceive on {@code ch} from another thread ends within 15 s (it throws: the channel is closed and drained). */
    private static boolean anotherOperationGetsThrough(Channel<Integer> ch) {
        CountDownLatch through = new CountDownLatch(1);
        Thread.ofPlatform().daemon().start(() -> {
            try {
                ch.tryReceive();
            } catch (ChannelClosedException expected) {
                // closed and drained
            }
            through.countDown();
        });
        try {
            return through.await(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
