package io.echodb.core.testing.services;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Per-JVM run directories of local test servers; those of dead JVMs are removed (and their servers stopped). */
public final class RunDirectories {
    private static final Logger LOG = LoggerFactory.getLogger(RunDirectories.class);

    /** Base directory for per-JVM run directories; default /dev/shm if large, else tmp. */
    public static final String ENV_RUN_DIR = "ECHODB_TEST_RUN_DIR";

    /** Gives a path to the user that runs the server (e.g. chown). */
    @FunctionalInterface
    public interface Owner {
        void own(Path path) throws IOException;
    }

    private RunDirectories() {
    }

    /**
     * The directory holding the run directories named {@code prefix} of this uid; traversable by other users when
     * {@code sharedWithOtherUser} (the server runs as another user), else private.
     */
    public static Path runsRoot(String prefix, boolean sharedWithOtherUser) {
        Path root = runBase().resolve(prefix + "-" + Commands.uid());
        try {
            Files.createDirectories(root);
            if (((Number) Files.getAttribute(root, "unix:uid", LinkOption.NOFOLLOW_LINKS)).intValue() != Commands.uid()) {
                root = Files.createTempDirectory(runBase(), prefix + "-");
            }
            Files.setPosixFilePermissions(root,
                    PosixFilePermissions.fromString(sharedWithOtherUser ? "rwx--x--x" : "rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + root, e);
        }
        return root;
    }

    /**
     * Where run (data) directories go: {@code ECHODB_TEST_RUN_DIR} if set; else {@code /dev/shm} when it is a
     * tmpfs with plenty of room (file creation there is far faster than on most disks, and durability does not
     * matter for tests); else {@code java.io.tmpdir}.
     */
    public static Path runBase() {
        String explicit = TestSettings.get(ENV_RUN_DIR);
        if (explicit != null && !explicit.isBlank()) {
            return Paths.get(explicit).toAbsolutePath();
        }
        Path shm = Paths.get("/dev/shm");
        try {
            if (Files.isDirectory(shm) && Files.isWritable(shm)) {
                var store = Files.getFileStore(shm);
                if ("tmpfs".equals(store.type()) && store.getUsableSpace() >= 4L * 1024 * 1024 * 1024) {
                    return shm;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("/dev/shm not usable", e);
        }
        return Paths.get(System.getProperty("java.io.tmpdir"));
    }

    /** A new private run directory of this JVM in {@code runsRoot}. */
    public static Path create(Path runsRoot) {
        return create(runsRoot, dir -> { });
    }

    /** A new private run directory of this JVM in {@code runsRoot}, given to {@code owner}. */
    public static Path create(Path runsRoot, Owner owner) {
        try {
            long pid = ProcessHandle.current().pid();
            Path dir = Files.createTempDirectory(runsRoot, pid + "-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            long start = ProcessHandle.current().info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
            Files.writeString(dir.resolve("owner"), pid + " " + start + "\n");
            owner.own(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a run directory in " + runsRoot, e);
        }
    }

    /** Removes run dirs of dead JVMs, killing a {@code processName} server whose pid is in their {@code pidFile}. */
    public static void reapStale(Path runsRoot, String pidFile, String processName) {
        try (var dirs = Files.list(runsRoot)) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                if (!ownerDead(dir)) {
                    continue;
                }
                Path pf = dir.resolve(pidFile);
                if (Files.exists(pf)) {
                    try {
                        long pid = Long.parseLong(Files.readAllLines(pf).get(0).trim());
                        ProcessHandle.of(pid).filter(h -> h.info().command().map(c -> c.endsWith(processName))
                                .orElse(false)).ifPresent(h -> {
                                    LOG.info("Stopping stale {} (pid {}) left by a dead JVM in {}", processName, pid, dir);
                                    h.destroy();
                                    try {
                                        h.onExit().get(10, TimeUnit.SECONDS);
                                    } catch (Exception e) {
                                        h.destroyForcibly();
                                    }
                                });
                    } catch (IOException | RuntimeException e) {
                        LOG.debug("cannot read {}", pf, e);
                    }
                }
                deleteTree(dir);
            }
        } catch (IOException e) {
            LOG.debug("cannot list {}", runsRoot, e);
        }
    }

    private static boolean ownerDead(Path dir) {
        try {
            String[] parts = Files.readString(dir.resolve("owner")).trim().split(" ");
            long pid = Long.parseLong(parts[0]);
            long start = Long.parseLong(parts[1]);
            Optional<ProcessHandle> h = ProcessHandle.of(pid);
            if (h.isEmpty() || !h.get().isAlive()) {
                return true;
            }
            long actualStart = h.get().info().startInstant().map(i -> i.toEpochMilli()).orElse(start);
            return Math.abs(actualStart - start) > 2000; // pid reused by another process
        } catch (NoSuchFileException e) {
            try { // a dir without owner file: half-created; stale if older than a minute
                return Files.getLastModifiedTime(dir).toMillis() < System.currentTimeMillis() - 60_000;
            } catch (IOException ex) {
                return false;
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Deletes {@code root} and everything below it, best effort (failures are logged at debug level). */
    public static void deleteTree(Path root) {
        if (root == null || !Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.debug("cannot delete {}", root, e);
        }
    }
}
