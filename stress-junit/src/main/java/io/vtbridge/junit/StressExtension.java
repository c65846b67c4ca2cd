package io.vtbridge.junit;

import io.vtbridge.stress.Schedule;
import io.vtbridge.stress.StressContext;
import io.vtbridge.stress.StressResult;
import io.vtbridge.stress.StressScenario;
import io.vtbridge.stress.StressTester;
import io.vtbridge.stress.Strategy;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.platform.commons.support.AnnotationSupport;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;

/**
 * The extension behind {@link StressTest}: it takes over the test method's invocation and runs the
 * method once per schedule under a {@link StressTester}, passing each schedule's
 * {@link StressContext}. Registered by the annotation; not meant to be registered by hand.
 *
 * <p><b>Threading:</b> stateless; JUnit may call it from any thread, and the method runs on the
 * calling (platform) thread, which carries the schedules.
 */
public final class StressExtension implements InvocationInterceptor, ParameterResolver {

    /** Creates the extension (JUnit does). */
    public StressExtension() {
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == StressContext.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return NOT_YET; // replaced by each schedule's context in interceptTestMethod
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                    ExtensionContext context) throws Throwable {
        Method method = invocationContext.getExecutable();
        StressTest settings = AnnotationSupport.findAnnotation(method, StressTest.class).orElse(null); // also as a meta-annotation
        if (settings == null) {
            invocation.proceed(); // registered by hand on a plain test: leave it alone
            return;
        }
        invocation.skip();
        StressTester tester = tester(settings, method);
        StressScenario scenario = scenario(method, invocationContext.getTarget().orElse(null),
                invocationContext.getArguments());
        if (!settings.replay().isEmpty()) {
            Schedule schedule = tester.replay(settings.replay(), scenario);
            context.publishReportEntry("vtbridge.stress", schedule.toString());
            if (!schedule.passed()) {
                AssertionError e = new AssertionError("replayed schedule failed:\n" + schedule.report());
                schedule.failure().ifPresent(e::initCause);
                throw e;
            }
            return;
        }
        StressResult result = tester.run(scenario);
        context.publishReportEntry("vtbridge.stress", result.toString());
        result.assertPassed();
    }

    private static StressTester tester(StressTest settings, Method method) {
        try {
            Strategy strategy = settings.strategy() == Strategy.Kind.PCT ? Strategy.pct(settings.depth()) : Strategy.random();
            return StressTester.builder().strategy(strategy).schedules(settings.schedules()).seed(settings.seed())
                    .maxSteps(settings.maxSteps()).externalWait(Duration.ofMillis(settings.externalWaitMillis()))
                    .deadlockGrace(Duration.ofMillis(settings.deadlockGraceMillis())).build();
        } catch (IllegalArgumentException e) {
            throw new ExtensionConfigurationException("@StressTest on " + method + ": " + e.getMessage(), e);
        }
    }

    private static StressScenario scenario(Method method, Object target, List<Object> arguments) {
        Class<?>[] types = method.getParameterTypes();
        method.setAccessible(true);
        return ctx -> {
            Object[] args = arguments.toArray();
            for (int i = 0; i < types.length; i++) {
                if (types[i] == StressContext.class) {
                    args[i] = ctx;
                }
            }
            try {
                method.invoke(target, args);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                if (cause instanceof Exception ex) {
                    throw ex;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw e;
            }
        };
    }

    /** What JUnit passes before interception; never reaches the method. */
    private static final StressContext NOT_YET = new StressContext() {
        private IllegalStateException outside() {
            return new IllegalStateException("StressContext used outside a @StressTest schedule");
        }

        @Override
        public Thread fork(String name, Task task) {
            throw outside();
        }

        @Override
        public java.util.concurrent.Executor executor() {
            throw outside();
        }

        @Override
        public void point() {
            throw outside();
        }

        @Override
        public long nanoTime() {
            throw outside();
        }

        @Override
        public java.time.Clock clock() {
            throw outside();
        }

        @Override
        public String scheduleId() {
            throw outside();
        }
    };
}
