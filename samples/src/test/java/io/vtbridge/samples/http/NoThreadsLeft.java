package io.vtbridge.samples.http;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The samples' "everything stops by itself" check: no live thread whose name starts with one of the
 * given prefixes, once each has had a few seconds to end.
 */
public final class NoThreadsLeft {

    private NoThreadsLeft() {
    }

    /** Waits up to 5 s for each thread named with one of {@code prefixes} to end, then asserts none is alive. */
    public static void check(String... prefixes) throws InterruptedException {
        List<Thread> named = matching(prefixes);
        long deadline = System.nanoTime() + 5_000_000_000L;
        for (Thread thread : named) {
            thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
        assertThat(matching(prefixes)).as("threads left running").isEmpty();
    }

    private static List<Thread> matching(String... prefixes) {
        Set<Thread> all = Thread.getAllStackTraces().keySet();
        return all.stream().filter(Thread::isAlive)
                .filter(t -> List.of(prefixes).stream().anyMatch(p -> t.getName().startsWith(p))).toList();
    }
}
