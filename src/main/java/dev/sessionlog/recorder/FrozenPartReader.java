package dev.sessionlog.recorder;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads back a part of frozen loops by its ref: the JSON array {@link SessionFold.Freezable} gave to store. */
@FunctionalInterface
public interface FrozenPartReader {

    /** A fold that never froze anything reads nothing. */
    FrozenPartReader NONE = ref -> {
        throw new IllegalStateException("no reader for frozen part " + ref);
    };

    JsonNode read(String ref);

    /** The parts of these refs, in their order; a store may read them at once. */
    default java.util.List<JsonNode> readAll(java.util.List<String> refs) {
        return refs.stream().map(this::read).toList();
    }
}
