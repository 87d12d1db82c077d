package io.echodb.core.schema;

/** Values PostgreSQL allows that have no plain Java form: numeric NaN and the infinities of numerics, dates, timestamps. */
public enum SpecialValue {
    POSITIVE_INFINITY,
    NEGATIVE_INFINITY,
    NAN
}
