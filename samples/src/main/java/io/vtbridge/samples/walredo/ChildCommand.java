package io.vtbridge.samples.walredo;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The command line that starts {@link WalRedoChild}: the running JVM's own {@code java}
 * ({@code java.home}) and class path ({@code java.class.path}, each entry made absolute, so the child
 * finds its classes whatever its working directory), a small serial-GC heap sized to the pages, then
 * the child's arguments. Both modes of the sample start their child with this same command.
 *
 * <p><b>Threading:</b> static, no shared state.
 */
final class ChildCommand {

    /** Heap for the child beyond its pages: buffers and the JIT's own use. */
    private static final long BASE_HEAP_MIB = 48;

    private ChildCommand() {
    }

    /** The command for a child holding {@code pages} pages and answering whole pages or checksums. */
    static List<String> of(int pages, boolean answerPage) {
        long heapMib = BASE_HEAP_MIB + 2L * pages * PageRedo.PAGE_BYTES / (1 << 20);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:+UseSerialGC");
        command.add("-Xms" + heapMib + "m");
        command.add("-Xmx" + heapMib + "m");
        command.add("-Xshare:auto");
        command.add("-cp");
        command.add(absoluteClassPath());
        command.add(WalRedoChild.class.getName());
        command.add("--pages");
        command.add(Integer.toString(pages));
        command.add("--answer");
        command.add(answerPage ? "page" : "checksum");
        return List.copyOf(command);
    }

    private static String absoluteClassPath() {
        String classPath = System.getProperty("java.class.path", "");
        return Arrays.stream(classPath.split(File.pathSeparator))
                .filter(entry -> !entry.isEmpty())
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }
}
