package io.verdant.internal.obs;

import io.verdant.Channel;
import io.verdant.internal.Deadline;
import io.verdant.internal.OwnedLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a sleep's park blocker (its {@link Deadline}) reads as a wait reason, and which
 * blockers are rendered by their toString: Verdant's own classes only, never a class
 * merely in an io.verdant package (this test's own, loaded from the test classes), and
 * never by a toString that throws (end to end: SnapshotTest).
 */
@Timeout(60)
class WaitReasonsTest {
    @Test
    void durationsReadAsTheirLargestWholeUnitOrTenthsBelowTenSeconds() {
        assertThat(WaitReasons.duration(Duration.ofNanos(40_500))).isEqualTo("40 us");
        assertThat(WaitReasons.duration(Duration.ofMillis(1))).isEqualTo("1 ms");
        assertThat(WaitReasons.duration(Duration.ofMillis(250))).isEqualTo("250 ms");
        assertThat(WaitReasons.duration(Duration.ofMillis(1_500))).isEqualTo("1.5 s");
        assertThat(WaitReasons.duration(Duration.ofSeconds(3))).isEqualTo("3 s");
        assertThat(WaitReasons.duration(Duration.ofMillis(12_700))).isEqualTo("12 s");
        assertThat(WaitReasons.duration(Duration.ofHours(2))).isEqualTo("7200 s");
    }

    @Test
    void aDeadlineReadsAsASleep() {
        assertThat(WaitReasons.render(Deadline.after(TimeUnit.MILLISECONDS.toNanos(250)))).isEqualTo("sleep 250 ms");
        assertThat(WaitReasons.render(Deadline.FOREVER)).isEqualTo("sleep forever");
    }

    /** A user's blocker in an io.verdant package whose toString shows what it holds. */
    static final class MessageHolder {
        @Override
        public String toString() {
            return "MessageHolder[secret-payload]";
        }
    }

    /** A lock (OwnedLock: rendered by its toString) whose toString throws. */
    static final class BrokenLock extends OwnedLock {
        @Override
        protected void releaseByDeadOwner(Thread owner) {
        }

        @Override
        public String toString() {
            throw new IllegalStateException("toString failed");
        }
    }

    @Test
    void aBlockerOfAnotherCodeSourceInAnIoVerdantPackageIsNamedByClassOnly() {
        assertThat(MessageHolder.class.getPackageName()).startsWith("io.verdant.");
        assertThat(WaitReasons.render(new MessageHolder())).isEqualTo(MessageHolder.class.getName());
        assertThat(WaitReasons.renderLater(new MessageHolder())).isEqualTo(MessageHolder.class.getName());
    }

    @Test
    void aToStringThatThrowsIsRenderedAsTheClassName() {
        assertThat(WaitReasons.render(new BrokenLock())).isEqualTo(BrokenLock.class.getName());
        assertThat(WaitReasons.renderLater(new BrokenLock())).isEqualTo(BrokenLock.class.getName());
    }

    @Test
    void verdantsOwnBlockersAreStillRenderedByTheirToString() {
        Channel<String> c = Channel.bounded(4);
        assertThat(WaitReasons.render(c)).isEqualTo(c.toString()).startsWith("Channel#");
        assertThat(WaitReasons.isVerdants(c.getClass())).isTrue();
        assertThat(WaitReasons.isVerdants(MessageHolder.class)).isFalse();
        assertThat(WaitReasons.isVerdants(String.class)).isFalse();
    }
}
