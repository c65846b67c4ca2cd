package io.vtbridge.adapters.facade;

import io.vtbridge.Bridge;
import io.vtbridge.Shard;
import io.vtbridge.testing.TestBridge;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AsyncFacadeTest {

    @TestBridge(shards = 2)
    Bridge bridge;

    /** The legacy side: blocking, with checked exceptions, overloads and a void method. */
    public interface Store {
        String get(String key) throws IOException;

        void put(String key, String value);

        int size();

        long add(long a, int b);

        Optional<Shard> where(String key);
    }

    public interface AsyncStore {
        CompletableFuture<String> get(@ShardKey String key);

        CompletionStage<Void> put(@ShardKey String key, String value);

        CompletableFuture<Integer> size();

        CompletableFuture<Long> add(Long a, int b);       // boxed where the sync one is primitive

        CompletableFuture<Optional<Shard>> where(@ShardKey String key);

        default CompletableFuture<String> getOrEmpty(String key) {
            return get(key).exceptionally(e -> "");
        }
    }

    /** Not public: reached through the public Store interface. */
    private static final class MapStore implements Store {
        final java.util.concurrent.ConcurrentHashMap<String, String> map = new java.util.concurrent.ConcurrentHashMap<>();
        final AtomicInteger calls = new AtomicInteger();
        volatile Thread lastThread;

        @Override
        public String get(String key) throws IOException {
            calls.incrementAndGet();
            lastThread = Thread.currentThread();
            String v = map.get(key);
            if (v == null) {
                throw new IOException("no " + key);
            }
            return v;
        }

        @Override
        public void put(String key, String value) {
            if (value == null) {
                throw new IllegalArgumentException("null value for " + key);
            }
            map.put(key, value);
        }

        @Override
        public int size() {
            return map.size();
        }

        @Override
        public long add(long a, int b) {
            return a + b;
        }

        @Override
        public Optional<Shard> where(String key) {
            return Bridge.current();
        }
    }

    @Test
    void callsRunTheSyncMethodsAsBridgedTasks() throws Exception {
        MapStore impl = new MapStore();
        AsyncStore store = AsyncFacade.of(AsyncStore.class, impl, bridge);

        store.put("a", "1").toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(store.get("a").get(10, TimeUnit.SECONDS)).isEqualTo("1");
        assertThat(store.size().get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(store.add(40L, 2).get(10, TimeUnit.SECONDS)).isEqualTo(42L);
        assertThat(impl.lastThread.isVirtual()).isTrue();
        assertThat(store.where("a").get(10, TimeUnit.SECONDS)).isPresent();
    }

    @Test
    void aShardKeyPicksTheKeysShard() throws Exception {
        AsyncStore store = AsyncFacade.of(AsyncStore.class, new MapStore(), bridge);
        for (String key : List.of("alice", "bob", "carol", "dave", "erin", "frank")) {
            Shard ranOn = store.where(key).get(10, TimeUnit.SECONDS).orElseThrow();
            assertThat(ranOn).as(key).isSameAs(bridge.shardFor(key));
        }
    }

    @Test
    void aNullShardKeyIsRefusedAtTheCall() {
        AsyncStore store = AsyncFacade.of(AsyncStore.class, new MapStore(), bridge);
        assertThatThrownBy(() -> store.get(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("@ShardKey").hasMessageContaining("get(String)");
    }

    @Test
    void aFailureCompletesTheFutureWithTheOriginalException() throws Exception {
        AsyncStore store = AsyncFacade.of(AsyncStore.class, new MapStore(), bridge);

        CompletableFuture<String> missing = store.get("nope");
        assertThatThrownBy(() -> missing.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isExactlyInstanceOf(IOException.class).hasMessage("no nope").hasNoCause();

        CompletableFuture<Void> bad = store.put("k", null).toCompletableFuture();
        assertThatThrownBy(() -> bad.get(10, TimeUnit.SECONDS))
                .cause().isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("null value for k");
    }

    @Test
    void defaultMethodsRunAsWritten() throws Exception {
        AsyncStore store = AsyncFacade.of(AsyncStore.class, new MapStore(), bridge);
        assertThat(store.getOrEmpty("absent").get(10, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void objectMethodsAreTheProxysOwn() {
        MapStore impl = new MapStore();
        AsyncStore one = AsyncFacade.of(AsyncStore.class, impl, bridge);
        AsyncStore two = AsyncFacade.of(AsyncStore.class, impl, bridge);

        assertThat(one).isEqualTo(one).isNotEqualTo(two);
        assertThat(one.hashCode()).isEqualTo(System.identityHashCode(one));
        assertThat(one.toString()).contains("AsyncStore").contains("MapStore").contains(bridge.name());
        assertThat(impl.calls).hasValue(0);
    }

    @Test
    void cancellingACallInterruptsItsThread() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        Sleeper impl = () -> {
            started.countDown();
            try {
                Thread.sleep(Duration.ofMinutes(1));
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
        };
        AsyncSleeper sleeper = AsyncFacade.of(AsyncSleeper.class, impl, bridge);
        CompletableFuture<Void> call = sleeper.sleep();
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        call.cancel(true);
        assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(call).isCancelled();
    }

    public interface Sleeper {
        void sleep() throws InterruptedException;
    }

    public interface AsyncSleeper {
        CompletableFuture<Void> sleep();
    }

    /** Many calls that block in a lock at once: they wait unmounted, on two shards. */
    @Test
    void manyBlockingCallsShareTwoShards() throws Exception {
        ReentrantLock gate = new ReentrantLock();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger mostInside = new AtomicInteger();
        CountDownLatch allWaiting = new CountDownLatch(1_000);
        Counter impl = n -> {
            int now = inside.incrementAndGet();
            mostInside.accumulateAndGet(now, Math::max);
            allWaiting.countDown();
            gate.lock();                                       // held by the test until all have arrived
            try {
                return n + 1;
            } finally {
                gate.unlock();
                inside.decrementAndGet();
            }
        };
        AsyncCounter counter = AsyncFacade.of(AsyncCounter.class, impl, bridge);
        gate.lock();
        List<CompletableFuture<Integer>> calls = new ArrayList<>();
        try {
            for (int i = 0; i < 1_000; i++) {
                calls.add(counter.next(i));
            }
            assertThat(allWaiting.await(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            gate.unlock();
        }
        for (int i = 0; i < 1_000; i++) {
            assertThat(calls.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(i + 1);
        }
        assertThat(mostInside.get()).isEqualTo(1_000);
    }

    public interface Counter {
        int next(int n);
    }

    public interface AsyncCounter {
        CompletableFuture<Integer> next(int n);
    }

    // ---- mismatches ----------------------------------------------------------------------------

    public interface Legacy {
        String name(long id);

        void touch(long id);

        String find(Object what);

        String find(CharSequence what);
    }

    public interface BadTwin {
        CompletableFuture<String> nmae(long id);                 // misspelt: no counterpart

        String name(long id);                                    // not a future

        CompletableFuture<String> touch(long id);                // void's twin returns a future of Void

        CompletableFuture<String> find(String what);             // find(Object) and find(CharSequence) both accept it

        CompletableFuture<String> name(@ShardKey Long id, @ShardKey String twice); // no name(Long, String), and two keys
    }

    public interface GoodTwin {
        CompletableFuture<String> name(@ShardKey Long id);

        CompletableFuture<Void> touch(@ShardKey long id);

        CompletableFuture<String> find(@ShardKey Object a);

        CompletableFuture<String> find(@ShardKey CharSequence a);
    }

    public interface TwoKeys {
        CompletableFuture<Long> add(@ShardKey Long a, @ShardKey int b);
    }

    static final class LegacyImpl implements Legacy {
        @Override
        public String name(long id) {
            return "n" + id;
        }

        @Override
        public void touch(long id) {
        }

        @Override
        public String find(Object what) {
            return "object";
        }

        @Override
        public String find(CharSequence what) {
            return "chars";
        }
    }

    @Test
    void everyMismatchIsListedInOneMessage() {
        assertThatThrownBy(() -> AsyncFacade.of(BadTwin.class, new LegacyImpl(), bridge))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(BadTwin.class.getName()).hasMessageContaining("LegacyImpl")
                .hasMessageContaining("6 mismatches")
                .hasMessageContaining("nmae(long): no public method")
                .hasMessageContaining("name(long): returns java.lang.String; an async twin returns CompletableFuture<T>")
                .hasMessageContaining("touch(long): returns java.util.concurrent.CompletableFuture<java.lang.String> but")
                .hasMessageContaining("future of Void")
                .hasMessageContaining("find(String): cannot be told apart from the overloads")
                .hasMessageContaining("name(Long, String): no public method")
                .hasMessageContaining("name(Long, String): @ShardKey on parameters 0 and 1");
    }

    @Test
    void twoShardKeysAreAMismatch() {
        assertThatThrownBy(() -> AsyncFacade.of(TwoKeys.class, new MapStore(), bridge))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(1 mismatch)")
                .hasMessageContaining("add(Long, int): @ShardKey on parameters 0 and 1");
    }

    @Test
    void exactTypesPickOneOverload() throws Exception {
        GoodTwin twin = AsyncFacade.of(GoodTwin.class, new LegacyImpl(), bridge);
        assertThat(twin.find((Object) "x").get(10, TimeUnit.SECONDS)).isEqualTo("object");
        assertThat(twin.find((CharSequence) "x").get(10, TimeUnit.SECONDS)).isEqualTo("chars");
        assertThat(twin.name(7L).get(10, TimeUnit.SECONDS)).isEqualTo("n7");
        assertThat(twin.touch(7L).get(10, TimeUnit.SECONDS)).isNull();
    }

    @Test
    void badArgumentsAreNamed() {
        MapStore impl = new MapStore();
        assertThatThrownBy(() -> AsyncFacade.of(null, impl, bridge)).isInstanceOf(NullPointerException.class).hasMessage("asyncInterface");
        assertThatThrownBy(() -> AsyncFacade.of(AsyncStore.class, null, bridge)).isInstanceOf(NullPointerException.class).hasMessage("syncImpl");
        assertThatThrownBy(() -> AsyncFacade.of(AsyncStore.class, impl, null)).isInstanceOf(NullPointerException.class).hasMessage("bridge");
        assertThatThrownBy(() -> AsyncFacade.of(String.class, impl, bridge))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be an interface: java.lang.String");
    }

    @Test
    void aClosedBridgeRejectsCallsThroughTheirFutures() {
        AsyncStore store = AsyncFacade.of(AsyncStore.class, new MapStore(), bridge);
        bridge.close();
        assertThat(store.size()).isCompletedExceptionally();
        assertThatThrownBy(() -> store.size().join()).hasCauseInstanceOf(java.util.concurrent.RejectedExecutionException.class);
    }
}
