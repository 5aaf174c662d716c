package dev.bsg.gateway.metering;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.CompressionCodec;
import org.apache.parquet.format.ConvertedType;
import org.apache.parquet.format.DataPageHeader;
import org.apache.parquet.format.DecimalType;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.FieldRepetitionType;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.LogicalType;
import org.apache.parquet.format.MilliSeconds;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.PageType;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.SchemaElement;
import org.apache.parquet.format.StringType;
import org.apache.parquet.format.TimeUnit;
import org.apache.parquet.format.TimestampType;
import org.apache.parquet.format.Type;
import org.apache.parquet.format.Util;

/**
 * A flat table written as one Parquet file: one row group, PLAIN values in gzip-compressed v1 data pages, nulls by
 * definition levels. The file's metadata and page headers are the format's own Thrift structures
 * ({@code parquet-format-structures}); only the values are laid out here, because the Parquet writer proper needs
 * Hadoop on the class path (see docs/decisions.md).
 */
public final class ParquetTable {
    private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);
    private static final int ROWS_PER_PAGE = 10_000;

    /** The kinds of column the usage export needs. */
    public enum Kind {
        STRING,
        INT32,
        INT64,
        BOOLEAN,
        /** epoch milliseconds, UTC */
        TIMESTAMP_MILLIS,
        /** an exact amount of US dollars held as nanodollars: DECIMAL(18, 9) */
        USD_NANOS
    }

    public record Column(String name, Kind kind, boolean optional) {}

    private final List<Column> columns;

    public ParquetTable(List<Column> columns) {
        this.columns = List.copyOf(columns);
    }

    /** The file holding {@code rows}, each an array with one value per column (a String, Integer, Long or Boolean). */
    public byte[] write(List<Object[]> rows, String createdBy) {
        if (rows.isEmpty()) throw new IllegalArgumentException("a Parquet file here holds at least one row");
        try {
            Counting out = new Counting();
            out.write(MAGIC);
            List<ColumnChunk> chunks = new ArrayList<>();
            long groupBytes = 0;
            for (int c = 0; c < columns.size(); c++) {
                ColumnMetaData meta = writeChunk(out, c, rows);
                groupBytes += meta.getTotal_compressed_size();
                chunks.add(new ColumnChunk(meta.getData_page_offset()).setMeta_data(meta));
            }
            RowGroup group = new RowGroup(chunks, groupBytes, rows.size())
                    .setFile_offset(MAGIC.length)
                    .setTotal_compressed_size(groupBytes);
            FileMetaData file = new FileMetaData(1, schema(), rows.size(), List.of(group)).setCreated_by(createdBy);
            long footerStart = out.count;
            Util.writeFileMetaData(file, out);
            int footerLength = Math.toIntExact(out.count - footerStart);
            out.write(littleEndian(footerLength, 4));
            out.write(MAGIC);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // only from memory streams; cannot happen
        }
    }

    private List<SchemaElement> schema() {
        List<SchemaElement> schema = new ArrayList<>();
        schema.add(new SchemaElement("schema").setNum_children(columns.size()));
        for (Column column : columns) {
            SchemaElement element = new SchemaElement(column.name())
                    .setType(physical(column.kind()))
                    .setRepetition_type(
                            column.optional() ? FieldRepetitionType.OPTIONAL : FieldRepetitionType.REQUIRED);
            switch (column.kind()) {
                case STRING ->
                    element.setConverted_type(ConvertedType.UTF8).setLogicalType(LogicalType.STRING(new StringType()));
                case TIMESTAMP_MILLIS ->
                    element.setConverted_type(ConvertedType.TIMESTAMP_MILLIS)
                            .setLogicalType(LogicalType.TIMESTAMP(
                                    new TimestampType(true, TimeUnit.MILLIS(new MilliSeconds()))));
                case USD_NANOS ->
                    element.setConverted_type(ConvertedType.DECIMAL)
                            .setScale(9)
                            .setPrecision(18)
                            .setLogicalType(LogicalType.DECIMAL(new DecimalType(9, 18)));
                default -> {}
            }
            schema.add(element);
        }
        return schema;
    }

    private static Type physical(Kind kind) {
        return switch (kind) {
            case STRING -> Type.BYTE_ARRAY;
            case INT32 -> Type.INT32;
            case BOOLEAN -> Type.BOOLEAN;
            case INT64, TIMESTAMP_MILLIS, USD_NANOS -> Type.INT64;
        };
    }

    private ColumnMetaData writeChunk(Counting out, int c, List<Object[]> rows) throws IOException {
        Column column = columns.get(c);
        long start = out.count;
        long uncompressedTotal = 0;
        for (int from = 0; from < rows.size(); from += ROWS_PER_PAGE) {
            List<Object[]> page = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_PAGE));
            byte[] body = pageBody(column, c, page);
            byte[] compressed = gzip(body);
            PageHeader header = new PageHeader(PageType.DATA_PAGE, body.length, compressed.length)
                    .setData_page_header(new DataPageHeader(page.size(), Encoding.PLAIN, Encoding.RLE, Encoding.RLE));
            long headerStart = out.count;
            Util.writePageHeader(header, out);
            uncompressedTotal += out.count - headerStart + body.length;
            out.write(compressed);
        }
        return new ColumnMetaData(
                physical(column.kind()),
                List.of(Encoding.PLAIN, Encoding.RLE),
                List.of(column.name()),
                CompressionCodec.GZIP,
                rows.size(),
                uncompressedTotal,
                out.count - start,
                start);
    }

    private static byte[] pageBody(Column column, int c, List<Object[]> page) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (column.optional()) {
            byte[] levels = definitionLevels(page, c);
            body.writeBytes(littleEndian(levels.length, 4));
            body.writeBytes(levels);
        }
        int bits = 0;
        int bitCount = 0;
        for (Object[] row : page) {
            Object value = row[c];
            if (value == null) {
                if (!column.optional()) throw new IllegalArgumentException(column.name() + " may not be null");
                continue;
            }
            switch (column.kind()) {
                case STRING -> {
                    byte[] bytes = value.toString().getBytes(StandardCharsets.UTF_8);
                    body.writeBytes(littleEndian(bytes.length, 4));
                    body.writeBytes(bytes);
                }
                case INT32 -> body.writeBytes(littleEndian(((Number) value).intValue(), 4));
                case INT64, TIMESTAMP_MILLIS, USD_NANOS ->
                    body.writeBytes(littleEndian(((Number) value).longValue(), 8));
                case BOOLEAN -> {
                    if ((Boolean) value) bits |= 1 << bitCount;
                    if (++bitCount == 8) {
                        body.write(bits);
                        bits = 0;
                        bitCount = 0;
                    }
                }
            }
        }
        if (bitCount > 0) body.write(bits);
        return body.toByteArray();
    }

    /** Bit width 1 in the RLE/bit-packed hybrid, written as runs only: (length << 1) as a varint, then the level. */
    private static byte[] definitionLevels(List<Object[]> page, int c) {
        ByteArrayOutputStream levels = new ByteArrayOutputStream();
        int i = 0;
        while (i < page.size()) {
            boolean present = page.get(i)[c] != null;
            int run = 1;
            while (i + run < page.size() && (page.get(i + run)[c] != null) == present) run++;
            long header = (long) run << 1;
            while ((header & ~0x7FL) != 0) {
                levels.write((int) ((header & 0x7F) | 0x80));
                header >>>= 7;
            }
            levels.write((int) header);
            levels.write(present ? 1 : 0);
            i += run;
        }
        return levels.toByteArray();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 4 + 64);
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(data);
        }
        return out.toByteArray();
    }

    private static byte[] littleEndian(long value, int bytes) {
        byte[] out = new byte[bytes];
        for (int i = 0; i < bytes; i++) out[i] = (byte) (value >>> (8 * i));
        return out;
    }

    /** A memory stream that knows its position, for the offsets the metadata records. */
    private static final class Counting extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long count;

        @Override
        public void write(int b) {
            bytes.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
            count += len;
        }

        byte[] toByteArray() {
            return bytes.toByteArray();
        }
    }
}
