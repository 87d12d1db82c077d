package io.echodb.core.replication;

/** Rows and estimated bytes held across all table buffers, with the highest row count ever held. Not thread-safe. */
final class BufferTotals {

    private long rows;
    private long bytes;
    private long maxRows;

    void added(long rowCount, long byteCount) {
        rows += rowCount;
        bytes += byteCount;
        if (rows > maxRows) {
            maxRows = rows;
        }
    }

    void removed(long rowCount, long byteCount) {
        rows -= rowCount;
        bytes -= byteCount;
    }

    long rows() {
        return rows;
    }

    long bytes() {
        return bytes;
    }

    long maxRows() {
        return maxRows;
    }
}
