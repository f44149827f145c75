package dev.sessionlog.client.errors;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** 409 {@code partial_duplicate}: some of the request's event ids are stored and some are new; nothing was written. */
public class PartialDuplicateException extends SessionlogException {
  public PartialDuplicateException(int status, String code, String message, JsonNode error, Duration retryAfter) {
    super(status, code, message, error, retryAfter);
  }

  /** The request's event ids that are stored already. */
  public List<String> storedEventIds() {
    List<String> ids = new ArrayList<>();
    if (error() != null && error().has("stored_event_ids")) {
      error().get("stored_event_ids").forEach(id -> ids.add(id.asText()));
    }
    return ids;
  }
}
