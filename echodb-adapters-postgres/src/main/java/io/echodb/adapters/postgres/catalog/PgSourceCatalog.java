package io.echodb.adapters.postgres.catalog;

import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.adapters.postgres.jdbc.PgSql;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.SourceCatalog;
import io.echodb.core.schema.TableSchema;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Lists and describes source tables from pg_catalog: ordinary tables and partitioned roots, never partitions
 * (relispartition), and never the engine's own schemas ({@code _echodb} by default).
 */
public final class PgSourceCatalog implements SourceCatalog {

    public static final Set<String> DEFAULT_EXCLUDED_SCHEMAS = Set.of("_echodb");

    private final PgConnectionFactory connections;
    private final Set<String> excludedSchemas;
    private final PgTableDescriber describer = new PgTableDescriber(new PgTypeResolver());

    public PgSourceCatalog(PgConnectionFactory connections) {
        this(connections, DEFAULT_EXCLUDED_SCHEMAS);
    }

    public PgSourceCatalog(PgConnectionFactory connections, Set<String> excludedSchemas) {
        this.connections = Objects.requireNonNull(connections, "connections");
        this.excludedSchemas = Set.copyOf(excludedSchemas);
    }

    @Override
    public SortedMap<TableRef, Long> listRelations(Set<String> schemas) {
        List<String> wanted = schemas.stream().filter(s -> !excludedSchemas.contains(s)).toList();
        SortedMap<TableRef, Long> out = new TreeMap<>();
        if (wanted.isEmpty()) {
            return Collections.unmodifiableSortedMap(out);
        }
        try (Connection c = connections.open()) {
            boolean hasRelispartition = c.getMetaData().getDatabaseMajorVersion() >= 10;
            Array names = c.createArrayOf("text", wanted.toArray());
            try (PreparedStatement ps = c.prepareStatement("SELECT n.nspname, c.relname, c.oid::bigint"
                    + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY (?)"
                    + (hasRelispartition ? " AND NOT c.relispartition" : ""))) {
                ps.setArray(1, names);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(new TableRef(rs.getString(1), rs.getString(2)), rs.getLong(3));
                    }
                }
            } finally {
                names.free();
            }
        } catch (SQLException e) {
            throw PgSql.translate("list the tables of schemas " + wanted, e);
        }
        return Collections.unmodifiableSortedMap(out);
    }

    @Override
    public Optional<TableSchema> describe(TableRef table) {
        try (Connection c = connections.open()) {
            synchronized (describer) {
                return describer.describe(c, table);
            }
        } catch (SQLException e) {
            throw PgSql.translate("describe " + table, e);
        }
    }
}
