package dev.sessionlog.function;

/**
 * The storage layouts this version writes beyond what earlier versions read. Each can be turned off
 * for one deployment, so that a stack can be upgraded while an earlier version still runs, or rolled
 * back past this one (infra/README.md, Upgrade); this version reads them either way.
 *
 * @param appendPacks APPEND_PACKS: an append request's events in one item (false: an item per event)
 * @param frozenLoops RECORDER_FROZEN_LOOPS: a session's closed loops stored apart from its state, in
 *                    parts (false: every loop in the state, as before parts; a state that has parts
 *                    takes them back at its next save)
 */
public record StorageLayout(boolean appendPacks, boolean frozenLoops) {

    /** What this version writes by default. */
    public static final StorageLayout CURRENT = new StorageLayout(true, true);

    public StorageLayout withAppendPacks(boolean packs) {
        return new StorageLayout(packs, frozenLoops);
    }

    public StorageLayout withFrozenLoops(boolean frozen) {
        return new StorageLayout(appendPacks, frozen);
    }
}
