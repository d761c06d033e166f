/**
 * Verdant: green threads and actors on a scheduler Verdant owns.
 *
 * <p>Only {@code io.verdant} is exported; everything under {@code io.verdant.internal}
 * is implementation. On the module path the runtime needs
 * {@code --add-opens java.base/java.lang=io.verdant}; on the class path
 * {@code --add-opens java.base/java.lang=ALL-UNNAMED}.
 */
module io.verdant {
    exports io.verdant;
    // Optional: JFR events are emitted when jdk.jfr is present (see internal.obs.Jfr);
    // the MXBean is registered only with Config.jmx(true).
    requires static jdk.jfr;
    requires static java.management;
}
