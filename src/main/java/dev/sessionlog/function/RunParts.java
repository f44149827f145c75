package dev.sessionlog.function;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The parts of one scheduled run, each on its own: a part that fails is logged and the others still
 * run; the run then fails as a whole (the function's error alarm), after everything it could do.
 */
final class RunParts {

    private final Logger log;
    private final String run;
    private final List<String> failed = new ArrayList<>();

    RunParts(Logger log, String run) {
        this.log = log;
        this.run = run;
    }

    /** The part's result, or {@code nothing} when it failed. */
    <T> T part(String name, Supplier<T> work, T nothing) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            log.errorf(e, "the %s's %s failed; the other parts go on", run, name);
            failed.add(name);
            return nothing;
        }
    }

    List<String> failed() {
        return List.copyOf(failed);
    }

    /** Ends the run: logged when every part did its work, else an exception naming the parts that failed. */
    <S> S finish(S summary) {
        if (!failed.isEmpty()) {
            throw new IllegalStateException("the " + run + " did every part it could, but these failed: " + failed
                    + " (see the log); " + summary);
        }
        log.infof("run done: %s", summary);
        return summary;
    }
}
