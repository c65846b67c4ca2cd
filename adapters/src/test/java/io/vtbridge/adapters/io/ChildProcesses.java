package io.vtbridge.adapters.io;

import io.vtbridge.testing.ChildJvm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Helpers of the {@link ProcessChannel} tests: the {@link FramedChild} command, shell children and the
 * processes they leave behind, text frames, the channel's threads.
 */
final class ChildProcesses {

    private ChildProcesses() {
    }

    /** {@link FramedChild} in a JVM of its own, tuned to start fast. */
    static List<String> framedChild() {
        return ChildJvm.of(FramedChild.class)
                .flags("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-Xmx64m")
                .command();
    }

    /** {@code sh -c script} with {@code args} as {@code $1, $2, ...}. */
    static List<String> shell(String script, String... args) {
        List<String> command = new ArrayList<>(List.of("sh", "-c", script, "sh"));
        command.addAll(List.of(args));
        return command;
    }

    /** Kills the process whose id a child wrote to {@code pidFile}, if it wrote one and it still runs. */
    static void killWrittenPid(Path pidFile) throws IOException {
        if (Files.exists(pidFile)) {
            String pid = Files.readString(pidFile).trim();
            if (!pid.isEmpty()) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
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
