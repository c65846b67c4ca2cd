package io.vtbridge.adapters.nio;

import io.vtbridge.BridgeFiles;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A platform directory stream read ahead in batches: each time its buffer runs dry, the iterator
 * reads up to {@value #BATCH} entries in one {@link BridgeFiles#io} call, so a large directory costs
 * one pool round trip per batch, not per entry. Entries are wrapped as our paths and filtered on the
 * caller's thread (the filter is user code). The close runs through {@link BridgeFiles#io} too.
 *
 * <p>As the {@link DirectoryStream} contract allows, entries read ahead may still be returned after
 * {@link #close()}. A read error arrives as a {@link DirectoryIteratorException} after the entries
 * read before it.
 *
 * <p><b>Threading:</b> one thread at a time, as any directory stream. The pool thread fills a fresh
 * list that it hands back through the call's result, so no state is shared with it.
 */
final class BridgeDirectoryStream implements DirectoryStream<Path> {

    /** Entries read per pool call. */
    static final int BATCH = 256;

    private final BridgeFileSystem fileSystem;
    private final DirectoryStream<Path> platform;
    private final Filter<? super Path> filter;

    BridgeDirectoryStream(BridgeFileSystem fileSystem, DirectoryStream<Path> platform, Filter<? super Path> filter) {
        this.fileSystem = fileSystem;
        this.platform = platform;
        this.filter = filter;
    }

    /** @throws IllegalStateException if the stream is closed or its iterator was already returned */
    @Override
    public Iterator<Path> iterator() {
        return new BatchIterator(platform.iterator());
    }

    @Override
    public void close() throws IOException {
        Closing.close(platform);
    }

    /** One batch: the entries read, whether the directory ended, and the error that stopped it, if any. */
    private record Batch(List<Path> entries, boolean end, DirectoryIteratorException failure) {

        static Batch read(Iterator<Path> platform) {
            List<Path> entries = new ArrayList<>(BATCH);
            try {
                while (entries.size() < BATCH && platform.hasNext()) {
                    entries.add(platform.next());
                }
                return new Batch(entries, entries.size() < BATCH, null);
            } catch (DirectoryIteratorException e) {
                return new Batch(entries, true, e);
            }
        }
    }

    private final class BatchIterator implements Iterator<Path> {

        private final Iterator<Path> platformEntries;
        private final ArrayDeque<Path> buffered = new ArrayDeque<>();
        private boolean end;                          // the platform iterator is exhausted
        private DirectoryIteratorException failure;   // thrown once the buffer is drained
        private Path next;                            // accepted by the filter, not yet returned

        BatchIterator(Iterator<Path> platformEntries) {
            this.platformEntries = platformEntries;
        }

        @Override
        public boolean hasNext() {
            while (next == null) {
                Path entry = buffered.poll();
                if (entry == null) {
                    if (failure != null) {
                        DirectoryIteratorException thrown = failure;
                        failure = null;
                        end = true;
                        throw thrown;
                    }
                    if (end) {
                        return false;
                    }
                    readBatch();
                    continue;
                }
                Path ours = fileSystem.wrap(entry);
                if (accepts(ours)) {
                    next = ours;
                }
            }
            return true;
        }

        @Override
        public Path next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Path entry = next;
            next = null;
            return entry;
        }

        private void readBatch() {
            Batch batch;
            try {
                batch = BridgeFiles.io(() -> Batch.read(platformEntries));
            } catch (IOException interrupted) { // InterruptedIOException: the reading itself throws no IOException
                end = true;
                throw new DirectoryIteratorException(interrupted);
            }
            buffered.addAll(batch.entries());
            end = batch.end();
            failure = batch.failure();
        }

        private boolean accepts(Path entry) {
            try {
                return filter.accept(entry);
            } catch (IOException e) {
                throw new DirectoryIteratorException(e);
            }
        }
    }
}
