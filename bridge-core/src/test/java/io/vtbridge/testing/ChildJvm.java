package io.vtbridge.testing;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

/**
 * Starts a test's {@code main} in a fresh JVM: the {@code java} of the running JVM
 * ({@code java.home}), the running JVM's class path ({@code java.class.path}, absolute entries,
 * whatever the working directory) unless told otherwise, optional JVM flags, the main class, its
 * arguments. For a check that needs a JVM of its own: a missing flag, a first use of something
 * JVM-wide, another user.
 *
 * <pre>{@code
 * ChildJvm.Result r = ChildJvm.of(MyTest.class).flags(ChildJvm.OPENS).args("x").run();
 * assertThat(r.exitCode()).as("child output: %s", r.output()).isZero();
 * }</pre>
 */
public final class ChildJvm {

    /** The flag the bridge's scheduler needs (surefire gives it to the test JVM; a child needs it explicitly). */
    public static final String[] OPENS = {"--add-opens", "java.base/java.lang=ALL-UNNAMED"};

    /**
     * How long {@link #run()} waits for the child to exit: the child starts a JVM and then waits in
     * its own bounded waits ({@link Await#WAIT_SECONDS} each), so this is several of those.
     */
    public static final Duration TIMEOUT = Await.WAIT.multipliedBy(6);

    private final String mainClass;
    private final List<String> prefix = new ArrayList<>();
    private final List<String> flags = new ArrayList<>();
    private final List<String> args = new ArrayList<>();
    private String classPath = System.getProperty("java.class.path");
    private Path directory;

    private ChildJvm(String mainClass) {
        this.mainClass = mainClass;
    }

    /** A child JVM that runs {@code mainClass}'s {@code main}. */
    public static ChildJvm of(Class<?> mainClass) {
        return new ChildJvm(mainClass.getName());
    }

    /** The {@code java} launcher of the running JVM. */
    public static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** JVM flags, before the main class (e.g. {@link #OPENS}, {@code -Dname=value}). */
    public ChildJvm flags(String... jvmFlags) {
        flags.addAll(List.of(jvmFlags));
        return this;
    }

    /** Arguments of {@code main}. */
    public ChildJvm args(String... mainArgs) {
        args.addAll(List.of(mainArgs));
        return this;
    }

    /** A class path instead of the running JVM's (see {@link #readableClassPath}). */
    public ChildJvm classPath(String path) {
        classPath = Objects.requireNonNull(path, "path");
        return this;
    }

    /** A command the JVM runs under, before {@code java} (e.g. {@code setpriv --reuid=...}). */
    public ChildJvm runUnder(String... command) {
        prefix.addAll(List.of(command));
        return this;
    }

    /** The child's working directory (by default the running JVM's). */
    public ChildJvm directory(Path dir) {
        directory = dir;
        return this;
    }

    /** The whole command line. */
    public List<String> command() {
        List<String> command = new ArrayList<>(prefix);
        command.add(javaExecutable());
        command.addAll(flags);
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    /** Starts the child with its standard error merged into its standard output, for a caller that reads it as it comes. */
    public Process start() throws IOException {
        return builder().start();
    }

    private ProcessBuilder builder() {
        ProcessBuilder builder = new ProcessBuilder(command()).redirectErrorStream(true);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        return builder;
    }

    /**
     * Runs the child to its end and returns its exit code and output (standard output and error,
     * merged). Fails, after killing it, if it has not exited within {@link #TIMEOUT}.
     */
    public Result run() throws IOException, InterruptedException {
        File out = File.createTempFile("child-jvm-", ".out");
        try {
            Process child = builder().redirectOutput(out).start();
            child.getOutputStream().close(); // no input
            if (!child.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                child.destroyForcibly().waitFor(Await.WAIT_SECONDS, TimeUnit.SECONDS);
                throw new AssertionError("child JVM " + mainClass + " did not exit within " + TIMEOUT.toSeconds()
                        + " s; killed. Its output so far:\n" + read(out) + "\ncommand: " + command());
            }
            return new Result(child.exitValue(), read(out));
        } finally {
            out.delete();
        }
    }

    private static String read(File file) throws IOException {
        return new String(Files.readAllBytes(file.toPath()), StandardCharsets.UTF_8);
    }

    /** How a child ended: its exit code, and its standard output and error, merged. */
    public record Result(int exitCode, String output) {
    }

    /**
     * Copies the class path entries (a directory tree or a jar) that hold {@code classes} into
     * {@code dir}, readable by every user (directories {@code rwxr-xr-x}, files {@code rw-r--r--}),
     * and returns them as a class path: for a child JVM run as another user, who may not be able to
     * read the checkout or the local Maven repository. {@code dir} itself and its parents must be
     * searchable by that user; the caller checks (or arranges) that.
     */
    public static String readableClassPath(Path dir, Class<?>... classes) throws IOException {
        Set<Path> sources = new LinkedHashSet<>();
        for (Class<?> c : classes) {
            try {
                sources.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()));
            } catch (URISyntaxException | NullPointerException e) {
                throw new IllegalArgumentException("no class path entry found for " + c.getName(), e);
            }
        }
        StringJoiner classPath = new StringJoiner(File.pathSeparator);
        int i = 0;
        for (Path source : sources) {
            Path target = dir.resolve("cp" + i++ + (Files.isDirectory(source) ? "" : ".jar"));
            copyReadable(source, target);
            classPath.add(target.toString());
        }
        return classPath.toString();
    }

    private static void copyReadable(Path source, Path target) throws IOException {
        if (!Files.isDirectory(source)) {
            Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
            return;
        }
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                Path copy = target.resolve(source.relativize(d).toString());
                Files.createDirectories(copy);
                Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                Path copy = target.resolve(source.relativize(f).toString());
                Files.copy(f, copy, StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
                Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
