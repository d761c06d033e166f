package io.verdant;

import io.verdant.internal.GreenThread;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;

/**
 * The built-in {@link TaskScope.Joiner} policies. The scope calls
 * {@code onFork}/{@code onComplete} under its lock and {@code result} after
 * every child ended, so their fields need no further synchronisation.
 *
 * <p>A child that a cancellation reached and that ended with
 * {@link CancelledException} ({@link #cancelled}) is cancelled, not failed:
 * no policy stops the scope for it (a user's cancel of one child through its
 * handle leaves the others running, as a cancelled subtask of the JDK's
 * {@code StructuredTaskScope}). The children the scope's own stop cancels are
 * cancelled too; by then the policy has decided (or join throws for the
 * deadline or the owner's cancellation).
 */
final class Joiners {
    private Joiners() {
    }

    /**
     * Whether {@code h} (ended) was cancelled: it ended with CancelledException
     * and its own token is cancelled (a cancellation reached it: its handle's
     * cancel(), the scope's stop, the owner's cancellation). A CancelledException
     * thrown without one (a join of some cancelled thread) is a failure.
     */
    static boolean cancelled(GreenHandle<?> h) {
        return h.state() == GreenState.FAILED && h.exceptionNow() instanceof CancelledException
                && h instanceof GreenThread<?> g && g.isCancelled();
    }

    /** Throws the first failure as a GreenFailedException, the other real failures suppressed. */
    private static RuntimeException failure(GreenHandle<?> first, List<? extends GreenHandle<?>> all) {
        GreenFailedException e = new GreenFailedException(first.pid(), first.name(), first.exceptionNow());
        for (GreenHandle<?> h : all) {
            if (h != first && h.state() == GreenState.FAILED && !(h.exceptionNow() instanceof CancellationException)) {
                e.addSuppressed(new GreenFailedException(h.pid(), h.name(), h.exceptionNow()));
            }
        }
        return e;
    }

    static final class AllSuccessful<T> implements TaskScope.Joiner<T, List<T>> {
        private final List<GreenHandle<? extends T>> forked = new ArrayList<>();
        private GreenHandle<? extends T> firstFailure;

        @Override
        public boolean onFork(GreenHandle<? extends T> child) {
            forked.add(child);
            return false;
        }

        @Override
        public boolean onComplete(GreenHandle<? extends T> child) {
            if (child.state() == GreenState.FAILED && firstFailure == null && !cancelled(child)) {
                firstFailure = child;
                return true;
            }
            return false;
        }

        @Override
        public List<T> result() {
            if (firstFailure != null) {
                throw failure(firstFailure, forked);
            }
            List<T> results = new ArrayList<>(forked.size());
            for (GreenHandle<? extends T> h : forked) {
                if (h.state() == GreenState.SUCCEEDED) { // a cancelled child has no result: left out
                    results.add(h.resultNow());
                }
            }
            return results;
        }
    }

    static final class AnySuccessful<T> implements TaskScope.Joiner<T, T> {
        private final List<GreenHandle<? extends T>> forked = new ArrayList<>();
        private GreenHandle<? extends T> winner;
        private GreenHandle<? extends T> firstFailure;
        /** The first child that ended cancelled (see the class comment): reported only if none failed. */
        private GreenHandle<? extends T> firstCancelled;

        @Override
        public boolean onFork(GreenHandle<? extends T> child) {
            forked.add(child);
            return false;
        }

        @Override
        public boolean onComplete(GreenHandle<? extends T> child) {
            if (winner != null) {
                return false;
            }
            if (child.state() == GreenState.SUCCEEDED) {
                winner = child;
                return true;
            }
            if (cancelled(child)) {
                if (firstCancelled == null) {
                    firstCancelled = child;
                }
            } else if (firstFailure == null) {
                firstFailure = child;
            }
            return false;
        }

        @Override
        public T result() {
            if (winner != null) {
                return winner.resultNow();
            }
            if (firstFailure != null) {
                throw failure(firstFailure, forked);
            }
            if (firstCancelled != null) {
                // Every child was cancelled: nothing succeeded, and no failure to report instead.
                throw failure(firstCancelled, forked);
            }
            throw new NoSuchElementException("TaskScope: no child was forked");
        }
    }

    static final class AwaitAll<T> implements TaskScope.Joiner<T, List<GreenHandle<T>>> {
        private final List<GreenHandle<T>> forked = new ArrayList<>();

        @Override
        @SuppressWarnings("unchecked")
        public boolean onFork(GreenHandle<? extends T> child) {
            // A GreenHandle only hands T values out (results, and to callbacks that
            // accept a T, which accept a U too): viewing a GreenHandle<U extends T>
            // as a GreenHandle<T> cannot put a wrong value anywhere.
            forked.add((GreenHandle<T>) child);
            return false;
        }

        @Override
        public List<GreenHandle<T>> result() {
            return List.copyOf(forked);
        }
    }
}
