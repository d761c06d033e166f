package io.verdant.internal;

import java.util.Objects;
import java.util.function.Predicate;

/**
 * Which messages a selective receive takes: {@link #ANY}, instances of a type
 * ({@link #ofType}), or those a filter accepts ({@link #filter}). Immutable.
 * Tested on the receiving thread only (a filter is user code and runs there).
 */
public sealed interface Matcher permits Matcher.Any, Matcher.OfType, Matcher.Filter {
    /** Every message. */
    Matcher ANY = Any.INSTANCE;

    /**
     * @param message a message in the mailbox (never null)
     * @return true if the receive takes it
     */
    boolean matches(Object message);

    /**
     * @param type the class messages must be instances of (a primitive class: its wrapper)
     * @return the matcher for {@code type} (cached per class: no allocation per receive)
     */
    static OfType ofType(Class<?> type) {
        return OfType.CACHE.get(boxed(Objects.requireNonNull(type, "type")));
    }

    /**
     * The class a message of type {@code type} has: {@code type} itself, or the wrapper
     * of a primitive class. {@code int.class} is a {@code Class<Integer>}, so it type-checks
     * as a type token, but no object is an instance of it; a message is always boxed.
     *
     * @param <T> the type
     * @param type a class, perhaps primitive
     * @return {@code type}, or its wrapper class if it is primitive ({@code Void} for void)
     */
    @SuppressWarnings("unchecked") // the wrapper of a Class<T> for a primitive is the Class<T> of the boxed T
    static <T> Class<T> boxed(Class<T> type) {
        return type.isPrimitive() ? (Class<T>) java.lang.invoke.MethodType.methodType(type).wrap().returnType() : type;
    }

    /**
     * @param filter the test messages must pass
     * @return a matcher that asks {@code filter}
     */
    static Matcher filter(Predicate<Object> filter) {
        return new Filter(Objects.requireNonNull(filter, "filter"));
    }

    /** Matches every message. */
    enum Any implements Matcher {
        /** The only instance. */
        INSTANCE;

        @Override
        public boolean matches(Object message) {
            return true;
        }
    }

    /**
     * Matches instances of {@code type}.
     *
     * @param type the class
     * @param receiveName the operation's name for a receive by this type
     *        ({@code "Green.receive(Simple)"}: scheduling-point kind and exception
     *        messages), made once per class so a selective receive allocates nothing
     */
    record OfType(Class<?> type, String receiveName) implements Matcher {
        private static final ClassValue<OfType> CACHE = new ClassValue<>() {
            @Override
            protected OfType computeValue(Class<?> type) {
                return new OfType(type, "Green.receive(" + type.getSimpleName() + ")");
            }
        };

        @Override
        public boolean matches(Object message) {
            return type.isInstance(message);
        }
    }

    /**
     * Matches what {@code filter} accepts.
     *
     * @param filter the test
     */
    record Filter(Predicate<Object> filter) implements Matcher {
        @Override
        public boolean matches(Object message) {
            return filter.test(message);
        }
    }
}
