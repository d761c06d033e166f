package io.verdant;

/**
 * Thrown by {@link Registry#register} when the name is already held by a live
 * green thread (Erlang's {@code register/2} failing with {@code badarg}).
 */
public class NameTakenException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** The name that was asked for. */
    private final String name;
    /** The holder (not serialized: pids are meaningful only in their runtime). */
    private final transient Pid holder;

    /**
     * Creates the exception.
     *
     * @param name   the name asked for
     * @param holder the live green thread that holds it
     */
    public NameTakenException(String name, Pid holder) {
        super("the name '" + name + "' is already registered to " + holder);
        this.name = name;
        this.holder = holder;
    }

    /**
     * The name asked for.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Who holds the name.
     *
     * @return the holder's pid
     */
    public Pid holder() {
        return holder;
    }
}
