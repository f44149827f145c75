package dev.sessionlog.bench;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/**
 * A stand-in for the AWS Lambda Java runtime interface client, for the cold-start benchmark: what
 * the managed java21 runtime does with template.yaml's Handler. At init it loads the handler class
 * named by _HANDLER and creates it (FunqyStreamHandler's constructor runs Quarkus's static init, and
 * starts the application too when Quarkus's SnapStart support is on, as it is by default on Lambda);
 * then, per invocation, GET /runtime/invocation/next, handleRequest with the event, and POST
 * /response (or /error). An init failure goes to /runtime/init/error. JDK and aws-lambda-java-core
 * only, so that it runs on the deployment package's own classpath; the benchmark copies this class
 * next to it. Not the real client: that one is a native HTTP client around the same loop.
 *
 * <p>With BENCH_PRIME_AT_INIT=true it also runs SnapStartPriming.prime() at the end of init, as
 * SnapStart's beforeCheckpoint hook would before the snapshot (org.crac's hooks never fire on a JVM
 * without CRaC, so the bean is called through CDI instead).
 */
public final class LambdaRuntimeMain {

    private LambdaRuntimeMain() {
    }

    public static void main(String[] args) throws Exception {
        String api = "http://" + System.getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/";
        String handlerName = System.getenv("_HANDLER");
        RequestStreamHandler handler;
        try {
            String className = handlerName.contains("::") ? handlerName.substring(0, handlerName.indexOf("::")) : handlerName;
            handler = (RequestStreamHandler) Class.forName(className).getDeclaredConstructor().newInstance();
            if ("true".equals(System.getenv("BENCH_PRIME_AT_INIT"))) {
                prime();
            }
        } catch (Throwable e) {
            post(api + "init/error", error(e));
            System.exit(1);
            return;
        }
        while (true) {
            HttpURLConnection next = (HttpURLConnection) new URL(api + "invocation/next").openConnection();
            next.setReadTimeout(0);
            if (next.getResponseCode() != 200) {
                System.exit(2); // the benchmark has nothing more to invoke
            }
            String requestId = next.getHeaderField("Lambda-Runtime-Aws-Request-Id");
            long deadline = Long.parseLong(next.getHeaderField("Lambda-Runtime-Deadline-Ms"));
            String arn = next.getHeaderField("Lambda-Runtime-Invoked-Function-Arn");
            byte[] event;
            try (InputStream in = next.getInputStream()) {
                event = in.readAllBytes();
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                handler.handleRequest(new ByteArrayInputStream(event), out, new Invocation(requestId, deadline, arn));
            } catch (Throwable e) {
                post(api + "invocation/" + requestId + "/error", error(e));
                continue;
            }
            post(api + "invocation/" + requestId + "/response", out.toByteArray());
        }
    }

    /** SnapStartPriming.prime() on the started application's bean, through Arc; fails init when it is not there. */
    private static void prime() throws Exception {
        long t0 = System.nanoTime();
        Class<?> priming = Class.forName("dev.sessionlog.function.SnapStartPriming");
        Object container = Class.forName("io.quarkus.arc.Arc").getMethod("container").invoke(null);
        Object handle = Class.forName("io.quarkus.arc.ArcContainer").getMethod("instance", Class.class,
                java.lang.annotation.Annotation[].class).invoke(container, priming, new java.lang.annotation.Annotation[0]);
        Object bean = Class.forName("io.quarkus.arc.InstanceHandle").getMethod("get").invoke(handle);
        Object primed = priming.getMethod("prime").invoke(bean);
        System.out.printf("bench: prime() returned %s in %.0f ms%n", primed, (System.nanoTime() - t0) / 1e6);
    }

    private static byte[] error(Throwable e) {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        String message = String.valueOf(e.getMessage()).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
        e.printStackTrace();
        return ("{\"errorMessage\":\"" + message + "\",\"errorType\":\"" + e.getClass().getName() + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static void post(String url, byte[] body) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", "application/json");
        try (OutputStream out = c.getOutputStream()) {
            out.write(body);
        }
        c.getResponseCode();
        c.getInputStream().close();
    }

    /** The Context of one invocation. */
    static final class Invocation implements Context {
        private final String requestId;
        private final long deadline;
        private final String arn;

        Invocation(String requestId, long deadline, String arn) {
            this.requestId = requestId;
            this.deadline = deadline;
            this.arn = arn;
        }

        @Override
        public String getAwsRequestId() {
            return requestId;
        }

        @Override
        public String getLogGroupName() {
            return "/aws/lambda/" + getFunctionName();
        }

        @Override
        public String getLogStreamName() {
            return "local";
        }

        @Override
        public String getFunctionName() {
            return System.getenv("AWS_LAMBDA_FUNCTION_NAME");
        }

        @Override
        public String getFunctionVersion() {
            return System.getenv("AWS_LAMBDA_FUNCTION_VERSION");
        }

        @Override
        public String getInvokedFunctionArn() {
            return arn;
        }

        @Override
        public CognitoIdentity getIdentity() {
            return null;
        }

        @Override
        public ClientContext getClientContext() {
            return null;
        }

        @Override
        public int getRemainingTimeInMillis() {
            return (int) Math.max(0, deadline - System.currentTimeMillis());
        }

        @Override
        public int getMemoryLimitInMB() {
            return Integer.parseInt(System.getenv().getOrDefault("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024"));
        }

        @Override
        public LambdaLogger getLogger() {
            return new LambdaLogger() {
                @Override
                public void log(String message) {
                    System.out.print(message);
                }

                @Override
                public void log(byte[] message) {
                    System.out.write(message, 0, message.length);
                }
            };
        }
    }
}
