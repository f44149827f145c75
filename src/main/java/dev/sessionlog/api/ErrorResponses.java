package dev.sessionlog.api;

import dev.sessionlog.event.InvalidRequestException;
import dev.sessionlog.event.TooLargeException;
import dev.sessionlog.log.PartialDuplicateException;
import dev.sessionlog.log.SeqConflictException;
import dev.sessionlog.log.SessionErasedException;
import dev.sessionlog.log.SessionErasingException;
import dev.sessionlog.log.SessionExistsException;
import dev.sessionlog.log.SessionMissingException;
import dev.sessionlog.log.StoreBusyException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;
import dev.sessionlog.log.TimeBudget;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;

/** Every failure as the contract's error JSON; a fault of ours is logged and answered 500. */
public final class ErrorResponses {

    private static final Logger LOG = Logger.getLogger(ErrorResponses.class);

    private ErrorResponses() {
    }

    public static HttpApiResponse of(Throwable failure, String requestId) {
        ApiException error = toApiException(failure, requestId);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", error.code());
        body.put("message", error.getMessage());
        body.putAll(error.details());
        HttpApiResponse response = HttpApiResponse.json(error.status(), Map.of("error", body));
        if (failure instanceof StoreBusyException busy) {
            response.header("retry-after", Integer.toString(busy.retryAfterSeconds()));
        } else if (error.status() == 429 || error.status() == 503) {
            response.header("retry-after", "1");
        }
        return response;
    }

    static ApiException toApiException(Throwable failure, String requestId) {
        if (failure instanceof ApiException api) {
            return api;
        }
        if (failure instanceof InvalidRequestException invalid) {
            return ApiException.invalid(invalid.getMessage());
        }
        if (failure instanceof TooLargeException tooLarge) {
            return new ApiException(413, "too_large", tooLarge.getMessage());
        }
        if (failure instanceof SeqConflictException conflict) {
            return new ApiException(409, "seq_conflict", conflict.getMessage()).with("head_seq", conflict.actual());
        }
        if (failure instanceof PartialDuplicateException partial) {
            return new ApiException(409, "partial_duplicate", partial.getMessage())
                    .with("stored_event_ids", partial.storedEventIds());
        }
        if (failure instanceof StoreBusyException busy) {
            return new ApiException(429, "throttled", busy.getMessage());
        }
        if (failure instanceof SessionErasingException erasing) {
            return new ApiException(409, "session_erasing", erasing.getMessage());
        }
        if (failure instanceof SessionErasedException erased) {
            return new ApiException(410, "session_erased", erased.getMessage());
        }
        if (failure instanceof SessionExistsException exists) {
            return new ApiException(409, "session_exists", exists.getMessage());
        }
        if (failure instanceof SessionMissingException missing) {
            return ApiException.sessionNotFound(missing.key().sessionId());
        }
        if (failure instanceof AwsServiceException aws && aws.isThrottlingException()) {
            return new ApiException(429, "throttled", "the store throttled the request past retries; retry it");
        }
        if (failure instanceof TimeBudget.OutOfTimeException outOfTime) {
            return new ApiException(503, "unavailable", outOfTime.getMessage());
        }
        if (failure instanceof ApiCallTimeoutException || failure instanceof ApiCallAttemptTimeoutException) {
            LOG.warnf("request %s: a store call timed out: %s", requestId, failure.getMessage());
            return new ApiException(503, "unavailable", "a store did not answer in time; nothing was half-written: retry the request");
        }
        LOG.errorf(failure, "request %s failed", requestId);
        return new ApiException(500, "internal", "internal error; nothing was half-written (request id " + requestId + ")");
    }
}
