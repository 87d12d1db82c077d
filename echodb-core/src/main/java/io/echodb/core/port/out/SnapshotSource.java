package io.echodb.core.port.out;

/** Driven: consistent copies of source tables, ordered against the stream. Blocking; never returns null. */
public interface SnapshotSource {

    /** Opens an exported snapshot whose consistent point orders it against the stream; the caller closes it. */
    SnapshotSession openSnapshot();
}
