package io.echodb.adapters.postgres.checksum;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.adapters.postgres.decode.PgTextDecoders;
import io.echodb.adapters.postgres.replication.PgTestDatabase;
import io.echodb.core.service.checksum.CanonicalForm;
import io.echodb.core.testing.CanonicalCases;
import io.echodb.core.testing.CanonicalCases.Case;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Pins PostgreSQL's side of the canonical form to the shared cases: each value, stored by PostgreSQL from its literal,
 * renders in SQL exactly as the case says; and the engine's decoder turns its text output into the case's neutral value
 * (the value the ClickHouse side's test writes through the sink). Together with the ClickHouse side's test of the same
 * cases this proves equal data renders equally on both sides.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PgCanonicalSqlTest {

    private static final List<Case> CASES = CanonicalCases.all();
    private static PgTestDatabase db;

    @BeforeAll
    static void createTableOfAllCases() {
        db = PgTestDatabase.create("canonical_sql");
        CanonicalCases.PG_SETUP.forEach(db::sql);
        List<String> columns = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (int i = 0; i < CASES.size(); i++) {
            columns.add("c" + i + " " + CASES.get(i).pgType());
            values.add(CASES.get(i).pgLiteral());
        }
        db.sql("CREATE TABLE cases (id int PRIMARY KEY, " + String.join(", ", columns) + ")",
                "INSERT INTO cases VALUES (1, " + String.join(", ", values) + ")");
    }

    @AfterAll
    static void dropDatabase() {
        if (db != null) {
            db.drop();
        }
    }

    @Test
    void everyCaseRendersAsPinned() throws SQLException {
        List<String> exprs = new ArrayList<>();
        for (int i = 0; i < CASES.size(); i++) {
            exprs.add(PgCanonicalSql.value(CASES.get(i).type(), "c" + i));
        }
        List<String> rendered = new ArrayList<>();
        try (Connection c = db.connections().open(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT " + String.join(", ", exprs) + " FROM cases")) {
            rs.next();
            for (int i = 0; i < CASES.size(); i++) {
                rendered.add(rs.getString(i + 1));
            }
        }

        SoftAssertions soft = new SoftAssertions();
        for (int i = 0; i < CASES.size(); i++) {
            soft.assertThat(rendered.get(i)).as(CASES.get(i).name()).isEqualTo(CASES.get(i).canonical());
        }
        soft.assertAll();
    }

    @Test
    void theEngineDecodesEachStoredValueToTheCasesNeutralValue() throws SQLException {
        SoftAssertions soft = new SoftAssertions();
        try (Connection c = db.connections().open(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT * FROM cases")) {
            rs.next();
            for (int i = 0; i < CASES.size(); i++) {
                Case k = CASES.get(i);
                String text = rs.getString(i + 2); // PostgreSQL's text output, as pgoutput and COPY send it
                Object decoded = null;
                if (text != null) {
                    byte[] b = text.getBytes(StandardCharsets.UTF_8);
                    decoded = PgTextDecoders.forType(k.type()).decode(b, 0, b.length);
                }
                soft.assertThat(CanonicalCases.sameNeutral(decoded, k.value()))
                        .as(k.name() + ": decoded " + decoded + " from '" + text + "', case says " + k.value()).isTrue();
            }
        }
        soft.assertAll();
    }

    @Test
    void keyAndRowHashesAreTheReferencesHashes() throws SQLException {
        try (Connection c = db.connections().open(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT " + PgCanonicalSql.keyHash("'abc'", true) + ", "
                     + PgCanonicalSql.rowHash("'abc'", true) + ", " + PgCanonicalSql.keyHash("'héllo|\\N'", false) + ", "
                     + PgCanonicalSql.rowHash("'héllo|\\N'", true))) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(CanonicalForm.keyHash("abc"));
            assertThat(rs.getLong(2)).isEqualTo(CanonicalForm.rowHash("abc"));
            assertThat(rs.getLong(3)).isEqualTo(CanonicalForm.keyHash("héllo|\\N"));
            assertThat(rs.getLong(4)).isEqualTo(CanonicalForm.rowHash("héllo|\\N"));
        }
    }
}
