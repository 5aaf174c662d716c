package dev.bsg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Plain aligned columns for terminal output. */
final class Table {
    private Table() {}

    static void print(PrintStream out, List<String> columns, JsonNode rows) {
        List<String[]> cells = new ArrayList<>();
        cells.add(columns.toArray(String[]::new));
        for (JsonNode row : rows) {
            String[] line = new String[columns.size()];
            for (int i = 0; i < line.length; i++) {
                JsonNode value = row.get(columns.get(i));
                line[i] = value == null || value.isNull() ? "-" : value.asText();
            }
            cells.add(line);
        }
        int[] widths = new int[columns.size()];
        for (String[] line : cells)
            for (int i = 0; i < line.length; i++) widths[i] = Math.max(widths[i], line[i].length());
        for (String[] line : cells) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < line.length; i++) {
                if (i > 0) text.append("  ");
                text.append(i == line.length - 1 ? line[i] : String.format("%-" + widths[i] + "s", line[i]));
            }
            out.println(text);
        }
        if (cells.size() == 1) out.println("(none)");
    }
}
