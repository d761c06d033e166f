/**
 * Verdant: green threads and actors on a scheduler Verdant owns.
 *
 * <p>Only {@code io.verdant} is exported; everything under {@code io.verdant.internal}
 * is implementation. On the module path the runtime needs
 * {@code --add-opens java.base/java.lang=io.verdant}; on the class path
 * {@code --add-opens java.base/java.lang=ALL-UNNAMED}.
 */
module io.verdant {
    // The stall monitor reads carriers' CPU time (ThreadMXBean): a carrier that did
    // not run (GC pause, OS descheduling) has not stalled.
    requires java.management;

    exports io.verdant;
}
