package dev.sessionlog.log.memory;

import dev.sessionlog.log.EventLog;
import dev.sessionlog.log.EventLogContract;
import java.time.Clock;

/** The contract on the in-memory fake. */
class InMemoryEventLogTest implements EventLogContract {

    private final EventLog log = new InMemoryEventLog(Clock.systemUTC());

    @Override
    public EventLog log() {
        return log;
    }
}
