package io.echodb.core.port.out;

import io.echodb.core.model.InvalidValueException;

/**
 * A part of a source table that a copy read completely: pages {@code [firstPage, endPage)} of the leaf relation
 * {@code relationId} while its data lived in file {@code fileNode}; {@code endPage} {@link #END} reaches past the
 * last page, so pages added later belong to it too. Page numbers mean something only for that file: a rewrite (VACUUM
 * FULL, CLUSTER, a table-rewriting ALTER) moves rows between pages without row changes.
 */
public record CopyRange(long relationId, long fileNode, long firstPage, long endPage) {

    /** The end of an open-ended range. */
    public static final long END = Long.MAX_VALUE;

    public CopyRange {
        if (relationId <= 0) {
            throw InvalidValueException.of("copy range relation id", relationId, "must be > 0");
        }
        if (fileNode < 0) {
            throw InvalidValueException.of("copy range file node", fileNode, "must be >= 0");
        }
        if (firstPage < 0 || endPage <= firstPage) {
            throw InvalidValueException.of("copy range pages", firstPage + ".." + endPage, "must be 0 <= first < end");
        }
    }

    /** The whole of a leaf's file. */
    public static CopyRange wholeFile(long relationId, long fileNode) {
        return new CopyRange(relationId, fileNode, 0, END);
    }

    public boolean openEnded() {
        return endPage == END;
    }

    /** Same relation and file. */
    public boolean sameFile(CopyRange other) {
        return relationId == other.relationId && fileNode == other.fileNode;
    }

    @Override
    public String toString() {
        return relationId + "/" + fileNode + ":" + firstPage + ".." + (openEnded() ? "end" : String.valueOf(endPage));
    }
}
