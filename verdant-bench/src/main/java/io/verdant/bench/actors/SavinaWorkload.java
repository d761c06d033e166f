package io.verdant.bench.actors;

import java.util.Map;

/**
 * A Savina workload written once for every system: a closed set of actors,
 * numbered 0 to {@link #actors()} - 1, each a {@link Logic} that handles one
 * message at a time and sends to other actors by number through an
 * {@link Out}. Each system ({@link Savina}: green threads, Pekko, default
 * virtual threads; {@link SavinaEvent}: event actors) supplies only the
 * plumbing: one actor of its kind per logic, an {@code Out} over its
 * addresses, and a driver that starts the clock, makes the initial sends,
 * waits for the one {@link Out#finish finish} result and stops the clock. So
 * the protocol, the message objects and the answer check are the same in every
 * system by construction; the plumbing is the only thing measured apart from
 * the protocol itself (the logic's calls cost the same everywhere).
 *
 * <p>Every workload ends every actor by its protocol (a logic returns true
 * from {@link Logic#handle} when its actor should stop), so a run ends with
 * every actor stopped and the driver joins them all, untimed.
 */
interface SavinaWorkload {
    /** @return the number of actors */
    int actors();

    /**
     * The logic of actor {@code index}; called once per actor before the clock starts.
     *
     * @param index the actor's number
     * @return its logic, with fresh state
     */
    Logic create(int index);

    /**
     * The driver's initial sends (the clock runs).
     *
     * @param out where to send
     */
    void start(Out out);

    /**
     * Checks the result an actor passed to {@link Out#finish} (called after every actor stopped).
     *
     * @param result the result
     * @return secondary figures of the run for the RESULT line (e.g. denials), possibly empty
     * @throws AssertionError if the answer is wrong
     */
    Map<String, Double> check(Object result);

    /**
     * A capacity for a bounded mailbox that can never fill in this workload (the
     * {@code vt-default} system's {@link java.util.concurrent.ArrayBlockingQueue}
     * mailboxes). In every workload here an actor has at most a few messages in
     * flight to any one other actor (one outstanding request, plus its exit and
     * its statistics), so no mailbox ever holds more than 3 messages per actor
     * plus the driver's one; 4 per actor plus slack is safe, and a put never blocks.
     *
     * @return the capacity
     */
    default int mailboxCapacity() {
        return 4 * actors() + 16;
    }

    /** One actor's behaviour: its state and its handler. Called by one actor at a time. */
    interface Logic {
        /**
         * Handles one message.
         *
         * @param msg the message
         * @param out where to send
         * @return true if the actor stops after this message
         */
        boolean handle(Object msg, Out out);
    }

    /** How a logic sends: by actor number, and its final result to the driver. */
    interface Out {
        /**
         * Sends {@code msg} to actor {@code to}.
         *
         * @param to  the addressee's number
         * @param msg the message
         */
        void send(int to, Object msg);

        /**
         * Hands the run's result to the driver, which stops the clock; once per run.
         *
         * @param result the result, checked by {@link #check}
         */
        void finish(Object result);
    }

    /** The result of a run in which a logic threw: the driver rethrows it. */
    record Failed(Throwable cause) {
    }

    /**
     * Runs one message through {@code logic}; a logic that throws stops its
     * actor and fails the run (the driver gets a {@link Failed}), so a wrong
     * answer never hangs the driver.
     *
     * @param logic the logic
     * @param msg   the message
     * @param out   where to send
     * @return true if the actor stops
     */
    static boolean step(Logic logic, Object msg, Out out) {
        try {
            return logic.handle(msg, out);
        } catch (Throwable t) {
            out.finish(new Failed(t));
            return true;
        }
    }

    /**
     * The driver's side of {@link Failed}: rethrows a failure, else returns the result.
     *
     * @param result what the driver received
     * @return {@code result}
     */
    static Object unwrap(Object result) {
        if (result instanceof Failed f) {
            throw new AssertionError("an actor failed: " + f.cause(), f.cause());
        }
        return result;
    }

    /**
     * The workload of {@code p}.
     *
     * @param p the parameters (one of the kinds written as a workload)
     * @return the workload, fresh
     */
    static SavinaWorkload of(Savina.Params p) {
        return switch (p.kind()) {
            case BIG -> new SavinaBig(p.actors(), p.n());
            case CHAMENEOS -> new SavinaChameneos(p.actors(), p.n());
            case PHILOSOPHERS -> new SavinaPhilosophers(p.actors(), p.n());
            case BNDBUFFER -> new SavinaBndBuffer(p.actors(), p.n());
            default -> throw new IllegalArgumentException("not a workload: " + p.kind());
        };
    }
}
