package io.verdant.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The agent's arguments, parsed once at start-up; immutable, so any thread.
 *
 * <pre>
 * Grammar (the string after {@code -javaagent:verdant-agent.jar=})
 *   args     := ""  |  option ( ";" option )*
 *   option   := "include=" patterns        classes to instrument (default: "**")
 *             | "exclude=" patterns        classes never to instrument (default: none)
 *             | "entry=" bool              also a checkpoint at every method entry (default false)
 *             | "skipCounted=" bool        no checkpoint in innermost counted loops with a
 *                                          straight-line body (default false; see CountedLoops)
 *             | "verbose=" bool            log each instrumented class at INFO (default false)
 *   patterns := pattern ( "," pattern )*
 *   pattern  := a binary class name with wildcards, dots between packages:
 *                 "*"   any run of characters except "."   (com.acme.*  = classes of com.acme)
 *                 "**"  any run of characters, "." included (com.acme.** = com.acme and below)
 *               a pattern that matches a class also matches its nested classes
 *               (com.acme.Parser covers com.acme.Parser$1 and com.acme.Parser$Lexer)
 *   bool     := "true" | "false"
 *   Whitespace around keys, values and patterns is ignored; an unknown key or a bad
 *   value stops the JVM at start-up with a message naming it.
 *
 * A class is instrumented iff it matches some include, matches no exclude, and is
 * not on the never list, which no argument can override: the JDK (classes of the
 * boot and platform loaders, and java.*, javax.*, jdk.*, sun.*, com.sun.* on any
 * loader) and Verdant itself (io.verdant.**, runtime and agent).
 * </pre>
 */
public final class AgentOptions {
    /** Internal-name prefixes never instrumented, whatever the arguments say. */
    private static final List<String> NEVER = List.of(
            "java/", "javax/", "jdk/", "sun/", "com/sun/", "io/verdant/");
    private static final String KEYS = "include, exclude, entry, skipCounted, verbose";

    private final List<String> include;
    private final List<String> exclude;
    private final boolean entry;
    private final boolean skipCounted;
    private final boolean verbose;
    private final Pattern includeRegex;
    private final Pattern excludeRegex;

    private AgentOptions(List<String> include, List<String> exclude, boolean entry, boolean skipCounted,
                         boolean verbose) {
        this.include = List.copyOf(include);
        this.exclude = List.copyOf(exclude);
        this.entry = entry;
        this.skipCounted = skipCounted;
        this.verbose = verbose;
        this.includeRegex = compile(this.include);
        this.excludeRegex = compile(this.exclude);
    }

    /**
     * The include patterns as given (or {@code **}).
     *
     * @return the setting
     */
    public List<String> include() {
        return include;
    }

    /**
     * The exclude patterns as given.
     *
     * @return the setting
     */
    public List<String> exclude() {
        return exclude;
    }

    /**
     * Whether every method also gets a checkpoint at entry.
     *
     * @return the setting
     */
    public boolean entry() {
        return entry;
    }

    /**
     * Whether innermost counted straight-line loops are left without a checkpoint.
     *
     * @return the setting
     */
    public boolean skipCounted() {
        return skipCounted;
    }

    /**
     * Whether each instrumented class is logged.
     *
     * @return the setting
     */
    public boolean verbose() {
        return verbose;
    }

    /**
     * Parses agent arguments; null or blank means the defaults.
     *
     * @param args the string after {@code -javaagent:verdant-agent.jar=}, or null
     * @return the options
     * @throws IllegalArgumentException naming the bad option
     */
    public static AgentOptions parse(String args) {
        List<String> include = new ArrayList<>();
        List<String> exclude = new ArrayList<>();
        boolean entry = false;
        boolean skipCounted = false;
        boolean verbose = false;
        if (args != null && !args.isBlank()) {
            for (String option : args.split(";")) {
                if (option.isBlank()) {
                    continue;
                }
                int eq = option.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException("verdant-agent: option '" + option.strip()
                            + "' has no '=' (expected key=value; keys: " + KEYS + ")");
                }
                String key = option.substring(0, eq).strip().toLowerCase(Locale.ROOT);
                String value = option.substring(eq + 1).strip();
                switch (key) {
                    case "include" -> include.addAll(patterns(key, value));
                    case "exclude" -> exclude.addAll(patterns(key, value));
                    case "entry" -> entry = bool(key, value);
                    case "skipcounted" -> skipCounted = bool(key, value);
                    case "verbose" -> verbose = bool(key, value);
                    default -> throw new IllegalArgumentException("verdant-agent: unknown option '" + key
                            + "' (keys: " + KEYS + ")");
                }
            }
        }
        if (include.isEmpty()) {
            include.add("**");
        }
        return new AgentOptions(include, exclude, entry, skipCounted, verbose);
    }

    /**
     * Whether the class with this internal name ({@code com/acme/Foo$1}) is to be
     * instrumented by name: included, not excluded, not on the never list. The
     * loader half of the never list is the transformer's business.
     *
     * @param internalName the class's internal name, or null
     * @return true if the class is to be instrumented
     */
    public boolean selects(String internalName) {
        if (internalName == null) {
            return false;
        }
        for (String prefix : NEVER) {
            if (internalName.startsWith(prefix)) {
                return false;
            }
        }
        return matches(includeRegex, internalName) && !matches(excludeRegex, internalName);
    }

    /** A name matches if it, or the name of a class enclosing it, matches the pattern. */
    private static boolean matches(Pattern p, String internalName) {
        if (p == null) {
            return false;
        }
        if (p.matcher(internalName).matches()) {
            return true;
        }
        for (int i = internalName.indexOf('$', internalName.lastIndexOf('/') + 1); i > 0;
                i = internalName.indexOf('$', i + 1)) {
            if (p.matcher(internalName.substring(0, i)).matches()) {
                return true;
            }
        }
        return false;
    }

    private static Pattern compile(List<String> globs) {
        if (globs.isEmpty()) {
            return null;
        }
        StringBuilder re = new StringBuilder();
        for (String glob : globs) {
            if (!re.isEmpty()) {
                re.append('|');
            }
            re.append("(?:");
            for (int i = 0; i < glob.length(); i++) {
                char c = glob.charAt(i);
                if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                    re.append(".*");
                    i++;
                } else if (c == '*') {
                    re.append("[^/]*");
                } else if (c == '.') {
                    re.append('/');
                } else {
                    re.append(Pattern.quote(String.valueOf(c)));
                }
            }
            re.append(')');
        }
        return Pattern.compile(re.toString());
    }

    private static List<String> patterns(String key, String value) {
        List<String> out = new ArrayList<>();
        for (String p : value.split(",", -1)) {
            String glob = p.strip();
            if (glob.isEmpty()) {
                throw new IllegalArgumentException("verdant-agent: empty pattern in " + key + "=" + value);
            }
            for (int i = 0; i < glob.length(); i++) {
                char c = glob.charAt(i);
                if (!(Character.isJavaIdentifierPart(c) || c == '.' || c == '*' || c == '$')) {
                    throw new IllegalArgumentException("verdant-agent: bad character '" + c + "' in "
                            + key + " pattern '" + glob + "' (allowed: class-name characters, '.', '*', '**')");
                }
            }
            out.add(glob);
        }
        return out;
    }

    private static boolean bool(String key, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(
                    "verdant-agent: " + key + " must be true or false, was '" + value + "'");
        };
    }

    @Override
    public String toString() {
        return "include=" + String.join(",", include)
                + (exclude.isEmpty() ? "" : ";exclude=" + String.join(",", exclude))
                + ";entry=" + entry + (skipCounted ? ";skipCounted=true" : "") + ";verbose=" + verbose;
    }
}
