package io.echodb.adapters.postgres.decode;

/**
 * Turns one value in PostgreSQL's text output form (UTF-8 bytes, as sent by pgoutput and by COPY after unescaping)
 * into the Java type its {@link io.echodb.core.schema.ColumnType} prescribes. Stateless and thread-safe; never keeps
 * a reference to {@code buf}.
 */
@FunctionalInterface
public interface TextDecoder {

    Object decode(byte[] buf, int off, int len);
}
