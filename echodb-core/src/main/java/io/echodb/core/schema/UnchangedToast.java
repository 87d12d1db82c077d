package io.echodb.core.schema;

/** Marks a column of an UPDATE whose large (TOASTed) value did not change and was not sent: keep the stored value. */
public enum UnchangedToast {
    INSTANCE
}
