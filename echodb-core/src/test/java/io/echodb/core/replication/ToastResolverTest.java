package io.echodb.core.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.change.RowVersion;
import io.echodb.core.change.SinkRow;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.RowKey;
import io.echodb.core.schema.UnchangedToast;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ToastResolverTest {

    private static final Object U = UnchangedToast.INSTANCE;
    private static final int[] KEY = {0};

    @Test
    void markersAreFilledFromAnEarlierRowOfTheBatchBeforeAskingTheTarget() {
        List<Collection<RowKey>> lookups = new ArrayList<>();
        List<SinkRow> rows = List.of(
                row(false, 1L, "big", 1),
                row(false, 1L, U, 2),
                row(false, 2L, U, 3),
                row(false, 2L, U, 4));

        ToastResolver.Resolution r = ToastResolver.resolve(rows, KEY, keys -> {
            lookups.add(List.copyOf(keys));
            return Map.of(RowKey.of(2L), Row.of(2L, "stored", 0));
        });

        assertThat(lookups).containsExactly(List.of(RowKey.of(2L)));
        assertThat(r.unresolved()).isEmpty();
        assertThat(r.resolved()).extracting(SinkRow::row).containsExactly(
                Row.of(1L, "big", 1), Row.of(1L, "big", 2), Row.of(2L, "stored", 3), Row.of(2L, "stored", 4));
    }

    @Test
    void rowsWithoutAStoredRowStayUnresolvedAndSoDoLaterRowsFilledFromThem() {
        List<SinkRow> rows = List.of(row(false, 3L, U, 1), row(false, 3L, U, 2), row(false, 4L, "full", 1), row(true, 5L, null, null));

        ToastResolver.Resolution r = ToastResolver.resolve(rows, KEY, keys -> Map.of());

        assertThat(r.unresolved()).extracting(s -> s.row().get(2)).containsExactly(1, 2);
        assertThat(r.resolved()).extracting(s -> s.row().get(0)).containsExactly(4L, 5L);
    }

    @Test
    void aBatchWithoutMarkersIsReturnedAsIsWithoutLookup() {
        List<SinkRow> rows = List.of(row(false, 1L, "a", 1));
        ToastResolver.Resolution r = ToastResolver.resolve(rows, KEY, keys -> {
            throw new AssertionError("no lookup expected");
        });
        assertThat(r.resolved()).isSameAs(rows);
    }

    @Test
    void deleteMarkersLoseTheirMarkers() {
        assertThat(ToastResolver.withoutMarkers(Row.of(1L, U, 3))).isEqualTo(Row.of(1L, null, 3));
        assertThat(ToastResolver.fill(Row.of(1L, U, 3), Row.of(1L, "x", 9))).isEqualTo(Row.of(1L, "x", 3));
    }

    private static SinkRow row(boolean deleted, Object... values) {
        return new SinkRow(Row.of(values), new RowVersion(100, 1), deleted);
    }
}
