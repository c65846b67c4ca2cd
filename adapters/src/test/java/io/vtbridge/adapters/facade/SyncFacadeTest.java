package io.vtbridge.adapters.facade;

import io.vtbridge.Bridge;
import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.ShardStats;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.TestBridge;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SyncFacadeTest {

    @TestBridge(shards = 2)
    Bridge bridge;

    /** What the legacy code was written against. */
    public interface Quotes {
        long price(String symbol) throws IOException;

        void record(String symbol, long price);

        String describe(String symbol) throws InterruptedException;

        default String twice(String symbol) throws IOException {
            return symbol + price(symbol) + price(symbol);
        }
    }

    /** The async service; each call's future is completed later, by the test. */
    public static final class AsyncQuotes {
        final ConcurrentLinkedQueue<CompletableFuture<Long>> pending = new ConcurrentLinkedQueue<>();
        final CountDownLatch asked;

        AsyncQuotes(int expected) {
            asked = new CountDownLatch(expected);
        }

        public CompletableFuture<Long> price(String symbol) {
            CompletableFuture<Long> f = new CompletableFuture<>();
            pending.add(f);
            asked.countDown();
            return f;
        }

        public CompletionStage<Void> record(String symbol, long price) {
            if (price < 0) {
                throw new IllegalArgumentException("negative price " + price);
            }
            return CompletableFuture.completedFuture(null);
        }

        public CompletableFuture<String> describe(String symbol) {
            return new CompletableFuture<>();                     // never completes
        }
    }

    @Test
    void bridgedCallersWaitUnmountedForTheAsyncService() throws Exception {
        int callers = 500;
        AsyncQuotes service = new AsyncQuotes(callers);
        Quotes quotes = SyncFacade.of(Quotes.class, service);
        List<CompletableFuture<Long>> calls = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            calls.add(bridge.submit(() -> quotes.price("X") + 1));
        }
        // All 500 wait at once, suspended, on 2 shards: none holds a thread.
        assertThat(service.asked.await(30, TimeUnit.SECONDS)).isTrue();
        Await.until("500 suspended in Bridge.await", () -> awaits(ShardStats::suspendsByKind) == callers);
        long n = 0;
        for (CompletableFuture<Long> f : service.pending) {
            f.complete(n++);
        }
        long sum = 0;
        for (CompletableFuture<Long> call : calls) {
            sum += call.get(30, TimeUnit.SECONDS);
        }
        assertThat(sum).isEqualTo((long) callers * (callers - 1) / 2 + callers);
        assertThat(awaits(ShardStats::resumesByKind)).isEqualTo(callers);
    }

    private long awaits(java.util.function.Function<ShardStats, java.util.Map<EventKind, Long>> byKind) {
        long sum = 0;
        for (ShardStats stats : bridge.stats()) {
            sum += byKind.apply(stats).getOrDefault(EventKind.AWAIT, 0L);
        }
        return sum;
    }

    @Test
    void outsideBridgedCodeTheCallBlocksPlainly() throws Exception {
        AsyncQuotes service = new AsyncQuotes(1);
        Quotes quotes = SyncFacade.of(Quotes.class, service);
        CompletableFuture<Long> call = CompletableFuture.supplyAsync(() -> {
            try {
                return quotes.price("Y");
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }, command -> new Thread(command).start());
        assertThat(service.asked.await(10, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> call.get(50, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        service.pending.poll().complete(7L);
        assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo(7L);
    }

    @Test
    void aDeclaredCheckedFailureIsThrownAsItself() throws Exception {
        AsyncQuotes service = new AsyncQuotes(1);
        Quotes quotes = SyncFacade.of(Quotes.class, service);
        CompletableFuture<Long> call = bridge.submit(() -> quotes.price("Z"));
        assertThat(service.asked.await(10, TimeUnit.SECONDS)).isTrue();
        IOException failure = new IOException("quote feed down");
        service.pending.poll().completeExceptionally(failure);
        assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isSameAs(failure);
    }

    @Test
    void anUndeclaredCheckedFailureArrivesInACompletionException() throws Exception {
        AsyncQuotes service = new AsyncQuotes(1);
        Quotes quotes = SyncFacade.of(Quotes.class, service);
        CompletableFuture<Throwable> thrown = bridge.submit(() -> {
            try {
                quotes.price("Z");
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        assertThat(service.asked.await(10, TimeUnit.SECONDS)).isTrue();
        Exception failure = new java.sql.SQLException("not declared by price");
        service.pending.poll().completeExceptionally(failure);
        assertThat(thrown.get(10, TimeUnit.SECONDS)).isInstanceOf(CompletionException.class).cause().isSameAs(failure);
    }

    @Test
    void uncheckedFailuresAndCancellationAreThrownAsThemselves() throws Exception {
        AsyncQuotes service = new AsyncQuotes(2);
        Quotes quotes = SyncFacade.of(Quotes.class, service);
        assertThatThrownBy(() -> quotes.record("A", -1))
                .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("negative price -1");

        CompletableFuture<Long> failed = bridge.submit(() -> quotes.price("B"));
        CompletableFuture<Long> cancelled = bridge.submit(() -> quotes.price("C"));
        assertThat(service.asked.await(10, TimeUnit.SECONDS)).isTrue();
        IllegalStateException boom = new IllegalStateException("boom");
        CompletableFuture<Long> first = service.pending.poll();
        CompletableFuture<Long> second = service.pending.poll();
        first.completeExceptionally(boom);
        second.cancel(false);
        // Which caller got which future is not known; one failed with boom, the other was cancelled.
        List<Throwable> causes = new ArrayList<>();
        for (CompletableFuture<Long> call : List.of(failed, cancelled)) {
            try {
                call.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                causes.add(e.getCause());
            } catch (CancellationException e) {                // get() throws a cancellation as itself
                causes.add(e);
            }
        }
        assertThat(causes).hasSize(2);
        assertThat(causes).anySatisfy(c -> assertThat(c).isSameAs(boom));
        assertThat(causes).anySatisfy(c -> assertThat(c).isInstanceOf(CancellationException.class));
    }

    @Test
    void anInterruptedWaitThrowsInterruptedExceptionWhenDeclared() throws Exception {
        Quotes quotes = SyncFacade.of(Quotes.class, new AsyncQuotes(0));
        CountDownLatch calling = new CountDownLatch(1);
        CompletableFuture<String> outcome = new CompletableFuture<>();
        CompletableFuture<String> call = bridge.submit(() -> {
            calling.countDown();
            try {
                return quotes.describe("D");                  // its future never completes
            } catch (InterruptedException e) {
                outcome.complete("InterruptedException, flag " + Thread.currentThread().isInterrupted());
                throw e;
            }
        });
        assertThat(calling.await(10, TimeUnit.SECONDS)).isTrue();
        call.cancel(true);                                     // interrupts the waiting virtual thread
        assertThat(outcome.get(10, TimeUnit.SECONDS)).isEqualTo("InterruptedException, flag false");
    }

    @Test
    void anInterruptedWaitOfAMethodThatDoesNotDeclareItKeepsTheFlag() throws Exception {
        AsyncQuotes service = new AsyncQuotes(1);
        Quotes quotes = SyncFacade.of(Quotes.class, service);
        CompletableFuture<String> call = bridge.submit(() -> {
            Thread.currentThread().interrupt();
            try {
                quotes.price("E");
                return "returned";
            } catch (CompletionException e) {
                return e.getCause().getClass().getSimpleName() + ", flag " + Thread.currentThread().isInterrupted();
            }
        });
        assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo("InterruptedException, flag true");
    }

    /** An async service whose methods throw an {@link InterruptedException} themselves, before any stage exists. */
    public static final class SelfInterruptedQuotes {
        final InterruptedException own = new InterruptedException("thrown by the async method itself");

        public CompletableFuture<Long> price(String symbol) throws InterruptedException {
            throw own;
        }

        public CompletableFuture<Void> record(String symbol, long price) {
            return CompletableFuture.completedFuture(null);
        }

        public CompletableFuture<String> describe(String symbol) throws InterruptedException {
            throw own;
        }
    }

    @Test
    void anInterruptedExceptionThrownByTheAsyncMethodItselfIsItsOutcomeNotAnInterruptedWait() throws Exception {
        SelfInterruptedQuotes service = new SelfInterruptedQuotes();
        Quotes quotes = SyncFacade.of(Quotes.class, service);
        CompletableFuture<List<String>> seen = bridge.submit(() -> {
            List<String> outcomes = new ArrayList<>();
            try {
                quotes.price("I");                              // declares IOException only: the checked rule wraps it
                outcomes.add("price returned");
            } catch (CompletionException e) {
                outcomes.add("price: CompletionException, cause is the method's own " + (e.getCause() == service.own)
                        + ", flag " + Thread.interrupted());
            }
            try {
                quotes.describe("J");                           // declares InterruptedException: thrown as itself
                outcomes.add("describe returned");
            } catch (InterruptedException e) {
                outcomes.add("describe: the method's own " + (e == service.own) + ", flag " + Thread.interrupted());
            }
            return outcomes;
        });
        assertThat(Await.result(seen)).containsExactly(
                "price: CompletionException, cause is the method's own true, flag false",
                "describe: the method's own true, flag false");
    }

    @Test
    void aNullForAPrimitiveOrANullStageIsNamed() throws Exception {
        AsyncQuotes service = new AsyncQuotes(1);
        Quotes quotes = SyncFacade.of(Quotes.class, service);
        CompletableFuture<Long> call = bridge.submit(() -> quotes.price("F"));
        assertThat(service.asked.await(10, TimeUnit.SECONDS)).isTrue();
        service.pending.poll().complete(null);
        assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS)).cause()
                .isInstanceOf(NullPointerException.class).hasMessageContaining("price(String) returns long");

        Quotes nulls = SyncFacade.of(Quotes.class, new NullQuotes());
        assertThatThrownBy(() -> nulls.price("G"))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("returned null instead of a CompletionStage");
    }

    public static final class NullQuotes {
        public CompletableFuture<Long> price(String symbol) {
            return null;
        }

        public CompletableFuture<Void> record(String symbol, long price) {
            return null;
        }

        public CompletableFuture<String> describe(String symbol) {
            return null;
        }
    }

    @Test
    void defaultAndObjectMethods() throws Exception {
        Quotes quotes = SyncFacade.of(Quotes.class, new FixedQuotes());
        assertThat(quotes.twice("H")).isEqualTo("H44");
        assertThat(quotes).isEqualTo(quotes).isNotEqualTo(SyncFacade.of(Quotes.class, new FixedQuotes()));
        assertThat(quotes.toString()).contains("Quotes").contains("FixedQuotes");
        assertThat(quotes.hashCode()).isEqualTo(System.identityHashCode(quotes));
    }

    public static final class FixedQuotes {
        public CompletableFuture<Long> price(String symbol) {
            return CompletableFuture.completedFuture(4L);
        }

        public CompletableFuture<Void> record(String symbol, long price) {
            return CompletableFuture.completedFuture(null);
        }

        public CompletableFuture<String> describe(String symbol) {
            return CompletableFuture.completedFuture(symbol);
        }
    }

    public static final class WrongQuotes {
        public long price(String symbol) {                   // not a stage
            return 1;
        }

        public CompletableFuture<String> record(String symbol, long price) { // a value for a void method: fine
            return CompletableFuture.completedFuture("ignored");
        }

        public CompletableFuture<Integer> describe(String symbol) {          // Integer is not a String
            return CompletableFuture.completedFuture(1);
        }
    }

    @Test
    void everyMismatchIsListedInOneMessage() {
        assertThatThrownBy(() -> SyncFacade.of(Quotes.class, new WrongQuotes()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(2 mismatches)")
                .hasMessageContaining("price(String): WrongQuotes.price(String) returns long, not a CompletionStage")
                .hasMessageContaining("describe(String): returns java.lang.String but WrongQuotes.describe(String) completes with java.lang.Integer");
        assertThatThrownBy(() -> SyncFacade.of(Quotes.class, new Object()))
                .hasMessageContaining("(3 mismatches)");
        assertThatThrownBy(() -> SyncFacade.of(null, new Object())).isInstanceOf(NullPointerException.class).hasMessage("syncInterface");
        assertThatThrownBy(() -> SyncFacade.of(Quotes.class, null)).isInstanceOf(NullPointerException.class).hasMessage("asyncImpl");
        assertThatThrownBy(() -> SyncFacade.of(Object.class, new Object())).isInstanceOf(IllegalArgumentException.class);
    }
}
