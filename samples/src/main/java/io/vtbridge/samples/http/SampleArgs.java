package io.vtbridge.samples.http;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * A sample's command line: {@code --flag} options and {@code --name VALUE} options, checked against
 * the names the sample knows. Every getter names the option and the bad value in the
 * {@link IllegalArgumentException} it throws, so that {@code main} can print that one line and exit
 * with code 2.
 *
 * <pre>{@code
 * SampleArgs a = SampleArgs.parse(args, USAGE, Set.of("--quick"), Set.of("--rate", "--csv"));
 * if (a == null) return null;                     // --help: the usage is printed
 * int rate = a.positiveInt("--rate", 1_000);
 * }</pre>
 *
 * <p><b>Threading:</b> immutable after {@link #parse}; any thread.
 */
public final class SampleArgs {

    private static final String HELP = "--help";

    private final Map<String, String> given; // option name → its value; "" for a flag

    private SampleArgs(Map<String, String> given) {
        this.given = given;
    }

    /**
     * Reads {@code args}: each element is {@code --help}, one of {@code flags}, or one of
     * {@code valued} followed by its value.
     *
     * @return the options; null if {@code --help} was given (then {@code usage} is printed)
     * @throws IllegalArgumentException naming an unknown option, or a valued option without a value
     */
    public static SampleArgs parse(String[] args, String usage, Set<String> flags, Set<String> valued) {
        Objects.requireNonNull(args, "args");
        Objects.requireNonNull(usage, "usage");
        if (List.of(args).contains(HELP)) {
            System.out.println(usage);
            return null;
        }
        Map<String, String> given = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (flags.contains(name)) {
                given.put(name, "");
            } else if (valued.contains(name)) {
                if (i + 1 == args.length) {
                    throw new IllegalArgumentException(name + " needs a value");
                }
                given.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException("unknown option '" + name + "' (--help lists the options)");
            }
        }
        return new SampleArgs(given);
    }

    /**
     * What a sample's {@code main} does with its command line: {@code parse} it; on a bad option,
     * print one line naming the sample, the option and the value, and exit with code 2.
     *
     * @return the options; null after {@code --help}
     */
    public static <O> O optionsOrExit(String sample, String[] args, Function<String[], O> parse) {
        try {
            return parse.apply(args);
        } catch (IllegalArgumentException e) {
            System.err.println(sample + ": " + e.getMessage());
            System.exit(2);
            return null;                                   // not reached
        }
    }

    /** Whether flag {@code name} was given. */
    public boolean flag(String name) {
        return given.containsKey(name);
    }

    /** The value of {@code name}, or {@code fallback} if it was not given. */
    public String string(String name, String fallback) {
        return given.getOrDefault(name, fallback);
    }

    /** The path given for {@code name}, or null if it was not given. */
    public Path path(String name) {
        String value = given.get(name);
        if (value != null && value.isBlank()) {
            throw bad(name, value, "not a path");
        }
        return value == null ? null : Path.of(value);
    }

    /** An integer in {@code min..max}, or {@code fallback} if {@code name} was not given. */
    public int intIn(String name, int fallback, int min, int max) {
        String value = given.get(name);
        if (value == null) {
            return fallback;
        }
        int parsed;
        try {
            parsed = Integer.parseInt(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw bad(name, value, "not an integer");
        }
        if (parsed < min || parsed > max) {
            throw bad(name, value, "not in " + min + ".." + max);
        }
        return parsed;
    }

    /** A positive integer, or {@code fallback} if {@code name} was not given. */
    public int positiveInt(String name, int fallback) {
        return intIn(name, fallback, 1, Integer.MAX_VALUE);
    }

    /** A positive number of seconds (fractions allowed), or {@code fallback} if {@code name} was not given. */
    public Duration seconds(String name, Duration fallback) {
        String value = given.get(name);
        if (value == null) {
            return fallback;
        }
        double parsed;
        try {
            parsed = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw bad(name, value, "not a number of seconds");
        }
        if (!(parsed > 0) || parsed > 86_400) {
            throw bad(name, value, "not in (0, 86400] seconds");
        }
        return Duration.ofNanos(Math.round(parsed * 1e9));
    }

    /** Comma-separated positive integers, or {@code fallback} if {@code name} was not given. */
    public List<Integer> positiveInts(String name, List<Integer> fallback) {
        String value = given.get(name);
        if (value == null) {
            return fallback;
        }
        List<Integer> parsed = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            try {
                int n = Integer.parseInt(part.strip().replace("_", ""));
                if (n < 1) {
                    throw bad(name, value, n + " is not positive");
                }
                parsed.add(n);
            } catch (NumberFormatException e) {
                throw bad(name, value, "not a comma-separated list of integers");
            }
        }
        return List.copyOf(parsed);
    }

    /**
     * Comma-separated choices among {@code values}, each written as {@code label} names it, or
     * {@code fallback} if {@code name} was not given.
     */
    public <E> List<E> choices(String name, List<E> values, Function<E, String> label, List<E> fallback) {
        String value = given.get(name);
        if (value == null) {
            return fallback;
        }
        List<E> parsed = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            String wanted = part.strip();
            E choice = values.stream().filter(v -> label.apply(v).equals(wanted)).findFirst()
                    .orElseThrow(() -> bad(name, value, "'" + wanted + "' is not one of "
                            + String.join(", ", values.stream().map(label).toList())));
            parsed.add(choice);
        }
        return List.copyOf(parsed);
    }

    private static IllegalArgumentException bad(String name, String value, String why) {
        return new IllegalArgumentException(name + " '" + value + "': " + why);
    }
}
