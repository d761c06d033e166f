package io.verdant;

import java.util.concurrent.CompletableFuture;

/**
 * The {@link CompletableFuture} of {@link GreenHandle#toCompletableFuture()}:
 * completed by an {@code onComplete} callback of the handle; cancelling it
 * also cancels the green thread. Dependent stages are plain
 * {@code CompletableFuture}s (cancelling one does not reach the thread, as in
 * the JDK, where cancellation never travels upstream). Any thread.
 *
 * @param <T> the result type
 */
final class HandleCompletableFuture<T> extends CompletableFuture<T> {
    private final GreenHandle<T> handle;

    HandleCompletableFuture(GreenHandle<T> handle) {
        this.handle = handle;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            handle.cancel();
        }
        return cancelled;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }

    @Override
    public String toString() {
        return super.toString() + "[" + handle.pid() + "]";
    }
}
