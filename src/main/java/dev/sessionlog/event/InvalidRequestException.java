package dev.sessionlog.event;

/** A request that breaks the contract's rules; the message names the field. Maps to 400. */
public class InvalidRequestException extends RuntimeException {
    public InvalidRequestException(String message) {
        super(message);
    }
}
