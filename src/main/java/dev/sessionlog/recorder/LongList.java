package dev.sessionlog.recorder;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.Arrays;

/** A growable list of primitive longs: a loop's event seqs, without boxing each one. */
final class LongList {

    private long[] values = new long[8];
    private int size;

    void add(long v) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = v;
    }

    int size() {
        return size;
    }

    long get(int i) {
        if (i >= size) {
            throw new IndexOutOfBoundsException(i);
        }
        return values[i];
    }

    ArrayNode toJson() {
        ArrayNode a = Json.array();
        for (int i = 0; i < size; i++) {
            a.add(values[i]);
        }
        return a;
    }
}
