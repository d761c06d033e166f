package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 10 item 12: a supervisor logs every restart with the child's name and the reason. */
@Timeout(60)
class SupervisorLoggingTest {
    private final LogCapture supervisorLog = new LogCapture("io.verdant.supervisor");
    private final LogCapture failureLog = new LogCapture("io.verdant.failures");
    private final LinkedBlockingQueue<Pid> started = new LinkedBlockingQueue<>();
    private static final java.util.concurrent.atomic.AtomicInteger RUNTIMES = new java.util.concurrent.atomic.AtomicInteger();
    /** Unique per test: records are written off-thread, so an earlier test's may arrive during this one. */
    private final String runtimeName = "sup-log-" + RUNTIMES.incrementAndGet();
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(1).name(runtimeName).build());
    }

    @AfterEach
    void stop() {
        rt.close();
        supervisorLog.close();
        failureLog.close();
    }

    private static final class Crash extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Crash(String message) {
            super(message);
        }
    }

    private Object worker() {
        started.add(Green.self());
        Object m = Green.receive();
        if ("crash".equals(m)) {
            throw new Crash("worker crashed on purpose");
        }
        return m;
    }

    @Test
    void aRestartAfterAFailureIsLoggedAtWarningWithChildNameAndReason() throws Exception {
        Supervisor sup = Supervisor.builder().name("the-sup")
                .child(Supervisor.ChildSpec.of("worker-1", this::worker))
                .start(rt);
        Pid first = started.poll(20, TimeUnit.SECONDS);
        assertThat(first).isNotNull();
        assertThat(Green.send(first, "crash")).isTrue();
        assertThat(started.poll(20, TimeUnit.SECONDS)).as("restarted").isNotNull();
        LogRecord r = supervisorLog.await(x -> x.getLevel() == Level.WARNING && x.getMessage().contains("the-sup"));
        assertThat(r).isNotNull();
        assertThat(r.getMessage()).contains("the-sup").contains("worker-1").contains(first.toString())
                .contains("restarting");
        assertThat(r.getThrown()).isInstanceOf(Crash.class).hasMessage("worker crashed on purpose");
        sup.shutdown();
        // The child was linked to its supervisor: its failure is not also logged as unobserved.
        assertThat(failureLog.records())
                .noneMatch(x -> x.getLevel() == Level.WARNING && x.getMessage().contains("'" + runtimeName + "'"));
    }

    @Test
    void aRestartOfAPermanentChildThatReturnedIsLoggedAtInfo() throws Exception {
        Supervisor sup = Supervisor.builder().name("the-sup")
                .child(Supervisor.ChildSpec.of("worker-2", this::worker))
                .start(rt);
        Pid first = started.poll(20, TimeUnit.SECONDS);
        assertThat(first).isNotNull();
        assertThat(Green.send(first, "done")).isTrue();
        assertThat(started.poll(20, TimeUnit.SECONDS)).as("restarted").isNotNull();
        LogRecord r = supervisorLog.await(x -> x.getLevel() == Level.INFO && x.getMessage().contains("the-sup"));
        assertThat(r).isNotNull();
        assertThat(r.getMessage()).contains("worker-2").contains("returned").contains("restarting");
        sup.shutdown();
    }
}
