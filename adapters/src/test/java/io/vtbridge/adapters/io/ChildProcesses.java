package io.vtbridge.adapters.io;

import io.vtbridge.testing.ChildJvm;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Helpers of the {@link ProcessChannel} tests: the {@link FramedChild} command, text frames, the channel's threads. */
final class ChildProcesses {

    private ChildProcesses() {
    }

    /** {@link FramedChild} in a JVM of its own, tuned to start fast. */
    static List<String> framedChild() {
        return ChildJvm.of(FramedChild.class)
                .flags("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-Xmx64m")
                .command();
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] frame) {
        return new String(frame, StandardCharsets.UTF_8);
    }

    /** Live threads whose names start with {@code prefix} (a channel's threads are named after it). */
    static Set<String> liveThreads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith(prefix))
                .collect(Collectors.toSet());
    }
}
