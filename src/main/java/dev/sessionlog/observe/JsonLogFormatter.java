package dev.sessionlog.observe;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;
import org.jboss.logmanager.ExtLogRecord;

/**
 * One JSON object per log line, with the MDC fields of the request (request_id, tenant,
 * session_id, seq, ...): what CloudWatch Logs Insights queries by field.
 */
public final class JsonLogFormatter extends Formatter {

    @Override
    public String format(LogRecord record) {
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("timestamp", Instant.ofEpochMilli(record.getMillis()).toString());
        line.put("level", record.getLevel().getName());
        line.put("logger", record.getLoggerName());
        line.put("message", record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : formatMessage(record));
        if (record instanceof ExtLogRecord ext) {
            for (Map.Entry<String, String> field : ext.getMdcCopy().entrySet()) {
                line.put(field.getKey(), String.valueOf(field.getValue()));
            }
        }
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            line.put("exception", trace.toString());
        }
        return Json.write(line) + System.lineSeparator();
    }
}
