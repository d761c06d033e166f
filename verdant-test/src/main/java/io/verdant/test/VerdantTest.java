package io.verdant.test;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A JUnit 5 test whose body runs under many deterministic schedules: for each
 * schedule a fresh deterministic runtime
 * ({@link io.verdant.Verdant#deterministic(io.verdant.Config, io.verdant.Determinism)})
 * runs the method's body as its root green thread, with seeds
 * {@code seedBase, seedBase + 1, ...}. The first schedule that fails (the body
 * throws, or the schedule deadlocks or is refused) stops the exploration and
 * fails the test with a {@link io.verdant.ScheduleFailedException} whose first
 * line starts with the replay key and whose cause is what the body threw:
 *
 * <pre>
 * [replay v1:random:0x6] schedule 7 of 1000 failed (random, seeds from 0x0): java.lang.AssertionError: lost update
 *   replay: &#64;VerdantTest(replay = "v1:random:0x6")  or  -Dverdant.replay=v1:random:0x6
 *   ...
 * </pre>
 *
 * <p>{@code @VerdantTest(replay = "v1:random:0x6")}, or the system property
 * (or JUnit configuration parameter) {@code verdant.replay} on the original
 * method, runs exactly that schedule again, for example in a debugger. The
 * property {@code verdant.schedules} overrides {@link #schedules()} (say, more
 * schedules in a nightly build). The property applies to every
 * {@code @VerdantTest} method the run selects: select one method with it.
 *
 * <pre>{@code
 * @VerdantTest(schedules = 1000, strategy = Strategy.PCT, depth = 3)
 * void transferNeverLosesMoney(Schedule schedule) {
 *     ...   // runs as the root green thread; Green.spawn, channels, actors as usual
 * }
 * }</pre>
 *
 * <p>Lifecycle: the test instance, {@code @BeforeEach} and {@code @AfterEach}
 * are once per method, not per schedule, so build the state under test inside
 * the body. The test reports one result per method. Parameters of type
 * {@link Schedule} and {@link io.verdant.Determinism} receive each schedule's
 * own value; other parameters are resolved once by JUnit as usual.
 *
 * <p>Per test: the runtime settings of each schedule ({@link #config()}), the
 * step limit ({@link #maxSteps()}), the leak check ({@link #failOnLeak()}), a
 * real-time budget for the whole exploration ({@link #timeout()}) and how many
 * schedules run at once ({@link #parallelism()}).
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Test
@ExtendWith(VerdantExtension.class)
public @interface VerdantTest {
    /**
     * How many schedules to run at most (overridden by the property
     * {@code verdant.schedules}); at least 1.
     *
     * @return the number of schedules; 100 by default
     */
    int schedules() default 100;

    /**
     * How each schedule chooses the next green thread.
     *
     * @return the strategy; {@link Strategy#RANDOM} by default
     */
    Strategy strategy() default Strategy.RANDOM;

    /**
     * The depth of {@link Strategy#PCT}: how many orderings the bugs it
     * targets need (it places {@code depth - 1} priority change points per
     * schedule); at least 1. Ignored by the other strategies.
     *
     * @return the depth; 3 by default
     */
    int depth() default 3;

    /**
     * The seed of the first schedule; schedule {@code i} uses {@code seedBase + i}.
     *
     * @return the first seed; 0 by default
     */
    long seedBase() default 0;

    /**
     * Check mode: each schedule runs twice and the two runs are compared step
     * by step; the first step where they differ fails the test with a
     * {@link io.verdant.NondeterminismException} naming it (the body reads real
     * time, draws from an unseeded random source or iterates an
     * identity-hashed collection, so its failures would not replay). Halves
     * the schedules run per second.
     *
     * @return true to run each schedule twice and compare; false by default
     */
    boolean checkDeterminism() default false;

    /**
     * The lenient external policy ({@link io.verdant.Determinism#lenient()}): a
     * wake-up from outside the runtime (a platform thread, a JDK timer or
     * socket poller) is admitted when no green thread can run instead of
     * failing the schedule; such a schedule may not replay exactly.
     *
     * @return true for the lenient policy; false (strict) by default
     */
    boolean lenient() default false;

    /**
     * A replay key printed by a failed run (for example {@code v1:random:0x6}),
     * or a schedule saved as its steps ({@code v1:steps:0x6 0/0 0=1 ...}, from
     * {@link io.verdant.ScheduleFailedException#steps()}; see
     * {@link io.verdant.Determinism#replaySteps(String)}): when not empty, the
     * test runs exactly that one schedule and ignores
     * {@link #schedules()}, {@link #strategy()}, {@link #depth()},
     * {@link #seedBase()} and {@link #lenient()} (the key names the strategy and
     * the policy). The property {@code verdant.replay} takes precedence.
     *
     * @return the replay key or saved steps, or {@code ""} to explore
     */
    String replay() default "";

    /**
     * The most steps one schedule may take before it fails as a livelock
     * ({@link io.verdant.Determinism#maxSteps(long)}); at least 1. Applies to a
     * replay too.
     *
     * @return the step limit; {@link io.verdant.Determinism#DEFAULT_MAX_STEPS} by default
     */
    long maxSteps() default io.verdant.Determinism.DEFAULT_MAX_STEPS;

    /**
     * Fail a schedule whose body returns leaving green threads it started
     * waiting forever ({@link io.verdant.Determinism#failOnLeak(boolean)}; the
     * failure names them). Applies to a replay too.
     *
     * @return true to fail on leaks; false by default (leaked threads are cancelled)
     */
    boolean failOnLeak() default false;

    /**
     * Fail a schedule in which a green thread failed and nobody observed the
     * failure (no join, link, monitor, supervisor or scope) by the time the body
     * ended ({@link io.verdant.Determinism#failOnUnjoinedFailure(boolean)}; the
     * failure names the thread, and its exception is the cause). Applies to a
     * replay too.
     *
     * @return true to fail on unobserved failures (the default); false to let them pass
     */
    boolean failOnUnjoinedFailure() default true;

    /**
     * A real-time budget for the whole exploration, in {@link #timeoutUnit()}:
     * once it is spent, no further schedule starts and the test fails saying
     * how many schedules passed in time (a schedule already running is bounded
     * by the runtime's slice watchdog, {@link io.verdant.Determinism#sliceWatchdog};
     * in check mode, the second run of a schedule whose first run started in
     * time still runs).
     * 0 means no budget.
     *
     * @return the budget; 0 (none) by default
     */
    long timeout() default 0;

    /**
     * The unit of {@link #timeout()}.
     *
     * @return the unit; seconds by default
     */
    TimeUnit timeoutUnit() default TimeUnit.SECONDS;

    /**
     * How many schedules run at once ({@link io.verdant.Exploration#parallelism(int)}):
     * the outcome, and the failing schedule reported, are those of a
     * sequential run. Several bodies then run at the same time, on the same
     * test instance: keep state inside the body. From 1 to
     * {@value io.verdant.Exploration#MAX_PARALLELISM}.
     *
     * @return the number of schedules at once; 1 by default
     */
    int parallelism() default 1;

    /**
     * Where each schedule's runtime settings come from: a class with a public
     * no-argument constructor whose {@code get()} returns the
     * {@link io.verdant.Config} (for example one with a failure handler, or a
     * shorter shutdown timeout). Its workers and time slice are ignored by a
     * deterministic runtime.
     *
     * @return the settings' supplier; {@link DefaultConfig} ({@link io.verdant.Config#defaults()}) by default
     */
    Class<? extends Supplier<io.verdant.Config>> config() default DefaultConfig.class;

    /** The default of {@link #config()}: {@link io.verdant.Config#defaults()}. */
    final class DefaultConfig implements Supplier<io.verdant.Config> {
        /** Creates the supplier; the extension does. */
        public DefaultConfig() {
        }

        /**
         * The default runtime settings.
         *
         * @return {@link io.verdant.Config#defaults()}
         */
        @Override
        public io.verdant.Config get() {
            return io.verdant.Config.defaults();
        }
    }
}
