package io.echodb.core.port.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.SourceCatalog;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.TableSchema;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Contract of {@link SourceCatalog}. Every test uses schemas of its own, so one database can serve all of them.
 */
public abstract class SourceCatalogContract {

    protected SourceCatalog catalog;

    /** A catalog over the database the hooks change; called before each test. */
    protected abstract SourceCatalog newCatalog();

    /**
     * Creates {@code table} (and its schema if missing) with exactly two columns, {@code id bigint NOT NULL} and
     * {@code name text}, and {@code PRIMARY KEY (id)} when {@code withPrimaryKey}. Names must be quoted: tests use
     * mixed case, spaces and double quotes.
     */
    protected abstract void createTable(TableRef table, boolean withPrimaryKey);

    protected abstract void dropTable(TableRef table);

    /** ALTER TABLE … RENAME TO {@code to}'s name (same schema). */
    protected abstract void renameTable(TableRef from, TableRef to);

    @BeforeEach
    void openCatalog() {
        catalog = newCatalog();
    }

    @Test
    void listsTheTablesOfTheRequestedSchemasSorted() {
        String a = ContractNames.unique("cat_a");
        String b = ContractNames.unique("cat_b");
        String other = ContractNames.unique("cat_c");
        createTable(TableRef.of(b, "b1"), true);
        createTable(TableRef.of(a, "zeta"), true);
        createTable(TableRef.of(a, "alpha"), false);
        createTable(TableRef.of(other, "hidden"), true);

        assertThat(catalog.listTables(Set.of(a, b))).containsExactly(
                TableRef.of(a, "alpha"), TableRef.of(a, "zeta"), TableRef.of(b, "b1"));
    }

    @Test
    void relationsAreTheDescribedOnesKeptByARenameAndNewForATableCreatedAgain() {
        String s = ContractNames.unique("cat_r");
        TableRef a = TableRef.of(s, "a");
        TableRef b = TableRef.of(s, "b");
        createTable(a, true);
        long first = catalog.describe(a).orElseThrow().relationId();
        assertThat(first).isNotZero();
        assertThat(catalog.listRelations(Set.of(s))).containsExactly(Map.entry(a, first));

        renameTable(a, b);
        createTable(a, true);

        long second = catalog.describe(a).orElseThrow().relationId();
        assertThat(second).isNotEqualTo(first);
        assertThat(catalog.listRelations(Set.of(s))).containsExactly(Map.entry(a, second), Map.entry(b, first));
        assertThat(catalog.listTables(Set.of(s))).containsExactly(a, b);
    }

    @Test
    void aDroppedTableIsNoLongerListedOrDescribed() {
        String s = ContractNames.unique("cat_d");
        TableRef keep = TableRef.of(s, "keep");
        TableRef gone = TableRef.of(s, "gone");
        createTable(keep, true);
        createTable(gone, true);
        dropTable(gone);

        assertThat(catalog.listTables(Set.of(s))).containsExactly(keep);
        assertThat(catalog.describe(gone)).isEmpty();
    }

    @Test
    void unknownOrNoSchemasListNothing() {
        assertThat(catalog.listTables(Set.of())).isEmpty();
        assertThat(catalog.listTables(Set.of(ContractNames.unique("cat_none")))).isEmpty();
    }

    @Test
    void describesColumnsInOrderAndThePrimaryKey() {
        TableRef t = TableRef.of(ContractNames.unique("cat_e"), "keyed");
        createTable(t, true);

        TableSchema schema = catalog.describe(t).orElseThrow();
        assertThat(schema.table()).isEqualTo(t);
        assertThat(schema.columns()).extracting(Column::name).containsExactly("id", "name");
        assertThat(schema.columns()).extracting(Column::type).containsExactly(new ColumnType.Int64(), new ColumnType.Text());
        assertThat(schema.columns()).extracting(Column::nullable).containsExactly(false, true);
        assertThat(schema.keyColumns()).containsExactly("id");
        assertThat(schema.unsupportedReason()).isEmpty();
    }

    @Test
    void aTableWithoutKeyHasNoKeyColumnsAndSaysWhy() {
        TableRef t = TableRef.of(ContractNames.unique("cat_f"), "keyless");
        createTable(t, false);

        TableSchema schema = catalog.describe(t).orElseThrow();
        assertThat(schema.keyColumns()).isEmpty();
        assertThat(schema.unsupportedReason()).get().asString().contains(t.qualified());
    }

    @Test
    void describingAMissingTableIsEmpty() {
        assertThat(catalog.describe(TableRef.of(ContractNames.unique("cat_g"), "nothing"))).isEmpty();
    }

    @Test
    void namesThatNeedQuotingAreKeptExactly() {
        TableRef t = TableRef.of(ContractNames.unique("Cat Mixed"), "Odd \"Quoted\" Name");
        TableRef lower = TableRef.of(t.schema(), "odd \"quoted\" name");
        createTable(t, true);
        createTable(lower, false);

        assertThat(catalog.listTables(Set.of(t.schema()))).containsExactly(t, lower);
        assertThat(catalog.describe(t).orElseThrow().keyColumns()).containsExactly("id");
        assertThat(catalog.describe(lower).orElseThrow().keyColumns()).isEmpty();
    }
}
