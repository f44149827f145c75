package dev.sessionlog.bench;

import java.util.Locale;

/**
 * The lifecycle section: what the hash chain added to appends, and what forks, newest-first reads,
 * erasure and verification cost, on one moto and S3Proxy with the product's Components (BenchStack).
 * Each part is a class of its own; this one runs them in the order their sessions need and puts the
 * report together in the order of docs/BENCHMARKS.md.
 */
final class LifecycleBench {

    private final Benchmarks.Options options;

    LifecycleBench(Benchmarks.Options options) {
        this.options = options;
    }

    String run() throws Exception {
        Benchmarks.progress("lifecycle: starting moto (the project's launcher, a Python child process) and S3Proxy");
        long t0 = System.nanoTime();
        try (BenchStack stack = BenchStack.start(LifecycleSessions.NOW, s -> s)) {
            LifecycleSessions sessions = new LifecycleSessions(stack);
            String append = new ChainAppendCosts(stack, options).run();
            ForkCosts forks = new ForkCosts(stack, sessions, options);
            String fork = forks.run();
            NewestFirstReads reads = new NewestFirstReads(stack, sessions, options);
            String desc = reads.run(forks.longSource());
            // Verify reads the long session while it is whole; the erasure then takes it (when its length is asked for).
            String verify = new VerifyCosts(stack, sessions, options).run(forks.longSource(), reads.longSession());
            String erase = new EraseCosts(stack, sessions, options).run(reads.longSession());
            return String.format(Locale.ROOT, """
                    ## Lifecycle: the chain's cost per append, forks, newest-first reads, erasure, verify

                    Setup: moto %s for DynamoDB and for the checkpoint bucket's S3 (a Python child process started \
                    through the project's launcher, one request at a time), S3Proxy in this JVM for the archive \
                    bucket, the tables of template.yaml, the product's Components with Settings.local (checkpoints \
                    sealed into their own Object Lock bucket, as the local runner has it) on a clock the bench moves. \
                    Calls are counted by BenchCalls on every client; RCU and WCU are computed by CapacityModel as in \
                    the sections above (a delete is billed on the item it removes, its index entries too). The \
                    section took %.0f s, setup included.

                    """, BenchStack.motoVersion(stack.aws), (System.nanoTime() - t0) / 1e9)
                    + append + fork + desc + erase + verify;
        }
    }
}
