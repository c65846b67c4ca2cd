package io.vtbridge.samples.storage;

import io.vtbridge.adapters.nio.BridgeFileSystemProvider;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The provider mode needs {@link BridgeFileSystemProvider} as the JVM's <em>default</em> file system
 * provider, which only a flag at JVM start can do
 * ({@code -Djava.nio.file.spi.DefaultFileSystemProvider}). So the sample starts itself again, in a
 * child JVM with that flag, the same class path, {@code --add-opens}, heap and assertion flags, to
 * run that one mode on a copy of the same seed; the child writes its row as CSV, which is read back
 * here. The child's output is kept and shown only if it fails.
 *
 * <p><b>Threading:</b> {@link #run} from one thread; it waits for the child (bounded) and kills it
 * if the wait ends any other way.
 */
final class ProviderChild {

    /** The system property that names the default provider's class. */
    static final String PROPERTY = "java.nio.file.spi.DefaultFileSystemProvider";

    private ProviderChild() {
    }

    /** Whether this JVM's default file system provider is the bridge's. */
    static boolean installedHere() {
        return FileSystems.getDefault().provider() instanceof BridgeFileSystemProvider;
    }

    /** The flag that installs the provider, as the child gets it. */
    static String flag() {
        return "-D" + PROPERTY + "=" + BridgeFileSystemProvider.class.getName();
    }

    /**
     * Runs the provider mode for {@code round} in a child JVM on a copy of {@code seed}.
     *
     * @throws IllegalStateException with the child's output if it fails or does not finish in time
     */
    static Row run(StorageOptions o, Path seed, Path workDir, int round) throws IOException, InterruptedException {
        Path csv = workDir.resolve("provider-round-" + round + ".csv");
        Path out = workDir.resolve("provider-round-" + round + ".out");
        StorageOptions childOptions = o.forChild(seed, csv, round);
        List<String> command = command(childOptions);
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            child.getOutputStream().close();
            // its engine's warm-up and its mode's, the window; start, copy, verify: generous
            long limit = childOptions.warmup().multipliedBy(2).plus(o.duration()).toSeconds() + 120;
            if (!child.waitFor(limit, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the provider mode's child JVM did not finish within " + limit
                        + " s; its output:\n" + Files.readString(out, StandardCharsets.UTF_8));
            }
            if (child.exitValue() != 0) {
                throw new IllegalStateException("the provider mode's child JVM exited with " + child.exitValue()
                        + "; its output:\n" + Files.readString(out, StandardCharsets.UTF_8) + "\ncommand: " + command);
            }
        } finally {
            if (child.isAlive()) {
                child.descendants().forEach(ProcessHandle::destroyForcibly);
                child.destroyForcibly();
                child.waitFor(10, TimeUnit.SECONDS);
            }
        }
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        if (lines.size() != 2 || !lines.get(0).equals(String.join(",", Row.HEADER))) {
            throw new IllegalStateException("the provider mode's child JVM wrote " + lines.size()
                    + " CSV lines, not a header and one row: " + lines);
        }
        return Row.parse(lines.get(1));
    }

    /** {@code java}, the flags, the class path, this sample's main class, the child's options. */
    private static List<String> command(StorageOptions childOptions) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--add-opens");
        command.add("java.base/java.lang=ALL-UNNAMED");
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-Xms") || arg.startsWith("-Xmx") || arg.equals("-ea") || arg.equals("-enableassertions")) {
                command.add(arg);
            }
        }
        command.add(flag());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(StorageSample.class.getName());
        command.addAll(childOptions.toArgs());
        return command;
    }
}
