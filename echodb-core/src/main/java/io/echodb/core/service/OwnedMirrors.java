package io.echodb.core.service;

import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.model.TableRef;
import io.echodb.core.model.WatchPolicy;
import io.echodb.core.port.in.MirrorControl;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The mirrors this EchoDB manages, indexed by source table. A mirror is ours when its name ends with
 * {@value #SUFFIX} (the seed's naming) and its source table lives in a watched schema; every other mirror in a
 * shared engine (another team's PeerDB flows, say) is foreign and never touched.
 */
public final class OwnedMirrors {

    public static final String SUFFIX = "_mirror";

    private final WatchPolicy policy;
    private final Map<MirrorName, MirrorStatus> byName = new TreeMap<>();

    private OwnedMirrors(WatchPolicy policy, List<MirrorStatus> all) {
        this.policy = policy;
        all.forEach(s -> byName.put(s.name(), s));
    }

    /** Reads the engine's current mirrors (one {@link MirrorControl#list()} call). */
    public static OwnedMirrors load(MirrorControl mirrors, WatchPolicy policy) {
        return new OwnedMirrors(policy, mirrors.list());
    }

    /** True when the mirror was created by EchoDB under {@code policy}. */
    public static boolean isOwned(MirrorStatus status, WatchPolicy policy) {
        return status.name().value().endsWith(SUFFIX) && policy.watchesSchema(status.spec().source().schema());
    }

    /** Our mirrors of {@code table}, by name (normally zero or one). */
    public List<MirrorStatus> of(TableRef table) {
        List<MirrorStatus> out = new ArrayList<>();
        for (MirrorStatus s : byName.values()) {
            if (s.spec().source().equals(table) && isOwned(s, policy)) {
                out.add(s);
            }
        }
        return out;
    }

    /** Every owned mirror, by name. */
    public List<MirrorStatus> all() {
        return byName.values().stream().filter(s -> isOwned(s, policy)).toList();
    }

    /** Any mirror with that name, ours or foreign. */
    public Optional<MirrorStatus> named(MirrorName name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Owned mirrors grouped by source table. */
    public Map<TableRef, List<MirrorStatus>> bySource() {
        Map<TableRef, List<MirrorStatus>> out = new LinkedHashMap<>();
        for (MirrorStatus s : all()) {
            out.computeIfAbsent(s.spec().source(), k -> new ArrayList<>()).add(s);
        }
        return out;
    }

    void put(MirrorStatus status) {
        byName.put(status.name(), status);
    }

    void remove(MirrorName name) {
        byName.remove(name);
    }
}
