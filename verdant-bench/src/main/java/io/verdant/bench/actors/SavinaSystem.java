package io.verdant.bench.actors;

import io.verdant.Config;
import org.apache.pekko.actor.ActorSystem;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One actor system the Savina comparisons run on. A system is a name, the JVM
 * flags it needs (if it must run in its own JVM), and how to start it at a
 * worker count; the started {@link Instance} runs one {@link Savina.Params} at
 * a time and returns nanoseconds per op. Add a system by implementing this and
 * listing it in {@link Savina#SYSTEMS}.
 */
public interface SavinaSystem {
    /** @return the {@code system=} of RESULT lines */
    String name();

    /**
     * @param workers the worker count
     * @return flags of its own JVM at this worker count, or null to run in the runner's JVM
     */
    default List<String> forkFlags(int workers) {
        return null;
    }

    /**
     * Starts the system with {@code workers} carriers / dispatcher threads.
     *
     * @param workers the worker count
     * @return the running system
     * @throws Exception if it cannot start
     */
    Instance start(int workers) throws Exception;

    /** A started system. */
    interface Instance extends AutoCloseable {
        /**
         * Runs one benchmark once.
         *
         * @param p what to run
         * @return the figure in {@code p}'s {@linkplain Savina.Params#metric metric} (pingpong: ns per
         *         round trip; ring: per hop; counting: per message; the workloads: ms per run), and its
         *         secondary figures
         * @throws Exception if the run failed, or its answer was wrong
         */
        Savina.Outcome run(Savina.Params p) throws Exception;

        /** Stops the system; must not throw. */
        @Override
        default void close() {
        }
    }

    /** Verdant: one green thread per actor, its mailbox. */
    final class Verdant implements SavinaSystem {
        @Override
        public String name() {
            return "verdant";
        }

        @Override
        public Instance start(int workers) {
            return onRuntime(workers, "savina", Savina::verdant);
        }
    }

    /** Verdant event actors: one handler per actor, run by dispatcher green threads. */
    final class VerdantEvent implements SavinaSystem {
        @Override
        public String name() {
            return "verdant-event";
        }

        @Override
        public Instance start(int workers) {
            return onRuntime(workers, "savina-event", SavinaEvent::run);
        }
    }

    /**
     * A Verdant runtime of {@code workers} carriers that runs each benchmark with
     * {@code runner} and closes with the instance; each run's outcome also carries
     * the runtime's dispatch count for that run ({@code dispatches=}).
     *
     * @param workers the worker count
     * @param name    the runtime's name
     * @param runner  how one benchmark runs on the runtime
     * @return the running system
     */
    private static Instance onRuntime(int workers, String name,
                                      java.util.function.BiFunction<io.verdant.Verdant, Savina.Params, Savina.Outcome> runner) {
        io.verdant.Verdant rt = io.verdant.Verdant.start(Config.builder().workers(workers).name(name).build());
        return new Instance() {
            @Override
            public Savina.Outcome run(Savina.Params p) {
                long before = rt.metrics().polls();
                Savina.Outcome o = runner.apply(rt, p);
                // Dispatches of the whole run (set-up and tear-down included): the
                // context switches the run cost, beside its time.
                java.util.Map<String, Double> extras = new java.util.LinkedHashMap<>(o.extras());
                extras.put("dispatches", (double) (rt.metrics().polls() - before));
                return new Savina.Outcome(o.value(), extras);
            }

            @Override
            public void close() {
                rt.close();
            }
        };
    }

    /** Apache Pekko classic actors on a fork-join dispatcher of {@code workers} threads. */
    final class Pekko implements SavinaSystem {
        @Override
        public String name() {
            return "pekko";
        }

        @Override
        public Instance start(int workers) {
            ActorSystem system = Savina.pekko(workers);
            return new Instance() {
                @Override
                public Savina.Outcome run(Savina.Params p) throws Exception {
                    return Savina.pekko(system, p);
                }

                @Override
                public void close() {
                    system.terminate();
                    try {
                        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        System.err.println("# pekko did not terminate: " + e);
                    }
                }
            };
        }
    }

    /**
     * One JDK virtual thread per actor on the default scheduler, a mailbox each
     * (a LinkedTransferQueue for pingpong, ring and counting; an
     * ArrayBlockingQueue for the {@link SavinaWorkload}s); its parallelism is
     * fixed at JVM start, so it runs in its own JVM.
     */
    final class VtDefault implements SavinaSystem {
        @Override
        public String name() {
            return "vt-default";
        }

        @Override
        public List<String> forkFlags(int workers) {
            return List.of("-Xms1g", "-Xmx4g", "-Djdk.virtualThreadScheduler.parallelism=" + workers,
                    "-Djdk.virtualThreadScheduler.maxPoolSize=" + Math.max(256, workers));
        }

        @Override
        public Instance start(int workers) {
            return Savina::vt;
        }
    }
}
