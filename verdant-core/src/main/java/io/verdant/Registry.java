package io.verdant;

import io.verdant.internal.ActorCell;
import io.verdant.internal.ExitListener;
import io.verdant.internal.GreenThread;
import io.verdant.internal.RuntimeCore;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A runtime's name registry (Erlang's {@code register}/{@code whereis}, and
 * {@code Name ! Msg}): green threads registered under names, looked up and
 * sent to by name. One per runtime: {@link Verdant#registry()}, or
 * {@code Green.runtime().registry()} inside a green thread.
 *
 * <ul>
 * <li>A name is held by at most one live green thread; registering a name that
 *     a live thread holds throws {@link NameTakenException}. A thread may hold
 *     several names.</li>
 * <li>A name is released when its holder ends (before anyone joining the
 *     holder returns), or by {@link #unregister}. A lookup never returns a dead
 *     holder.</li>
 * </ul>
 * All methods may be called from any thread; they never block, except
 * {@link #send} to a full {@linkplain Mailbox#blocking blocking} mailbox, which
 * waits for room as {@link Green#send(Pid, Object)} does.
 *
 * <p>Memory consistency effects: as with a {@link ConcurrentHashMap}, actions
 * in a thread prior to {@link #register} <i>happen-before</i> actions
 * subsequent to a {@link #whereis(String)}, {@link #names()} or {@link #send}
 * in another thread that finds that registration.
 */
public final class Registry {
    /*
     * Design
     *
     * names: name -> Entry(holder). register puts with putIfAbsent (an entry
     * whose holder has ended is replaced by a conditional remove first), then
     * watches the holder: the Entry is an ExitListener in the holder's monitor
     * list, and removes itself, map.remove(name, entry), when the holder ends,
     * on the holder's completion (after its status is final, before joiners
     * wake). If the holder ended between the put and the watch, watch calls the
     * listener at once. Lookups also check the holder is alive, so the window
     * between the holder's end and its listener run never shows a dead pid.
     * Alive means its pid still looks it up (RuntimeCore.lookup), not only that
     * its status is not final: an ending thread empties its pid slot before it
     * writes its status, and from then on its pid is dead to isAlive, send and
     * monitor, so the registry must not show it or refuse its name either
     * (RegistryExitingHolderTest).
     * unregister removes the entry and unwatches it (no listener left behind on
     * a long-lived thread); an unregister between register's put and its watch
     * finds nothing to unwatch, so register, once watching, unwatches the entry
     * itself if it is no longer in the map (RegisterUnregisterRaceTest).
     */
    private final RuntimeCore core;
    private final ConcurrentHashMap<String, Entry> names = new ConcurrentHashMap<>();

    Registry(RuntimeCore core) {
        this.core = core;
    }

    private final class Entry implements ExitListener {
        final String name;
        final GreenThread<?> holder;

        Entry(String name, GreenThread<?> holder) {
            this.name = name;
            this.holder = holder;
        }

        @Override
        public void exited(Signal.Down down) {
            names.remove(name, this);
        }

        /** The holder is live: its pid still looks it up (see Design). */
        boolean live() {
            return core.lookup(holder.pid()) != null;
        }
    }

    /**
     * Registers {@code pid} under {@code name}.
     *
     * @param name a non-blank name
     * @param pid  a live green thread of this runtime
     * @throws NameTakenException if a live green thread already holds {@code name}
     *         (also if it is {@code pid} itself)
     * @throws NoSuchGreenThreadException if {@code pid} is dead or stale
     * @throws IllegalArgumentException if {@code name} is blank or {@code pid} belongs to another runtime
     * @throws NullPointerException if an argument is null
     */
    public void register(String name, Pid pid) {
        checkName(name);
        Objects.requireNonNull(pid, "pid");
        if (!core.owns(pid)) {
            throw new IllegalArgumentException(pid + " belongs to another runtime than '" + core.name + "'");
        }
        GreenThread<?> g = core.lookup(pid);
        if (g == null) {
            throw new NoSuchGreenThreadException(pid);
        }
        Entry e = new Entry(name, g);
        for (;;) {
            Entry prev = names.putIfAbsent(name, e);
            if (prev == null) {
                break;
            }
            if (prev.live()) {
                throw new NameTakenException(name, prev.holder.pid());
            }
            names.remove(name, prev);
        }
        ActorCell.watch(g, e);
        if (names.get(name) != e) {
            // Unregistered before the watch, whose unwatch then found nothing to remove.
            ActorCell.unwatch(g, e);
        }
    }

    /**
     * Releases {@code name}.
     *
     * @param name the name
     * @return true if a live thread held it; false if nobody did
     * @throws NullPointerException if {@code name} is null
     */
    public boolean unregister(String name) {
        Objects.requireNonNull(name, "name");
        Entry e = names.remove(name);
        if (e == null) {
            return false;
        }
        ActorCell.unwatch(e.holder, e);
        return e.live();
    }

    /**
     * The live green thread registered under {@code name} (Erlang's {@code whereis}).
     *
     * @param name the name
     * @return its pid, or empty if no live thread holds the name
     * @throws NullPointerException if {@code name} is null
     */
    public Optional<Pid> whereis(String name) {
        Objects.requireNonNull(name, "name");
        Entry e = names.get(name);
        return e == null || !e.live() ? Optional.empty() : Optional.of(e.holder.pid());
    }

    /**
     * Typed lookup: {@link #whereis} as a {@link Ref}.
     *
     * @param <M>  the message type
     * @param name the name
     * @param type the message type's class
     * @return the holder's typed address, or empty if no live thread holds the name
     * @throws NullPointerException if an argument is null
     */
    public <M> Optional<Ref<M>> whereis(String name, Class<M> type) {
        Objects.requireNonNull(type, "type");
        return whereis(name).map(p -> Ref.of(p, type));
    }

    /**
     * Sends {@code msg} to the thread registered under {@code name}, as
     * {@link Green#send(Pid, Object)} does.
     *
     * @param name the name
     * @param msg  the message
     * @return true if enqueued; false if no live thread holds the name (the
     *         message is dropped; it is a dead letter of the last holder if the
     *         name was registered and its holder has just ended) or its mailbox dropped it
     * @throws MailboxFullException as {@link Green#send(Pid, Object)}
     * @throws CancelledException if the caller is cancelled or interrupted while waiting for room
     *         in a full {@linkplain Mailbox#blocking blocking} mailbox (nothing is sent), as for
     *         {@link Green#send(Pid, Object)}
     * @throws NullPointerException if an argument is null
     */
    public boolean send(String name, Object msg) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(msg, "msg");
        Entry e = names.get(name);
        return e != null && Green.send(e.holder.pid(), msg);
    }

    /**
     * The names held by live threads now, sorted; a snapshot.
     *
     * @return the registered names
     */
    public Set<String> names() {
        Set<String> out = new TreeSet<>();
        names.forEach((n, e) -> {
            if (e.live()) {
                out.add(n);
            }
        });
        return out;
    }

    private static void checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
    }

    @Override
    public String toString() {
        return "Registry[" + core.name + ", " + names() + "]";
    }
}
