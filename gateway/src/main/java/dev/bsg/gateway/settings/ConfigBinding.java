package dev.bsg.gateway.settings;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.CollectionType;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Binds the merged configuration tree onto the {@link Settings} records with Jackson: snake_case keys, unknown keys
 * refused, and every failure turned into a {@link SettingsException} that names the key, the value and the fix.
 *
 * <p>Values come as YAML types or as the strings environment variables give, so numbers and flags are read from
 * either, and a list may be written as a comma-separated string.
 */
final class ConfigBinding {
    /** The whole numbers a key accepts; also its unit when the record holds a {@link Duration}. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.PARAMETER, ElementType.FIELD, ElementType.METHOD})
    @interface Range {
        long min();

        long max();

        ChronoUnit unit() default ChronoUnit.FOREVER;
    }

    /**
     * A value a record (or a deserializer) can't use. {@code key} is relative to where it is thrown: the section a
     * record's constructor builds, or empty for the value a deserializer reads; Jackson adds the path above it.
     */
    static final class Invalid extends RuntimeException {
        final String key;
        final String value;
        final String fix;

        Invalid(String key, String value, String fix) {
            super(key + ": " + fix, null, false, false);
            this.key = key;
            this.value = value;
            this.fix = fix;
        }
    }

    private final ObjectMapper mapper;

    ConfigBinding() {
        SimpleModule module = new SimpleModule("bsg-config");
        module.addDeserializer(Integer.class, new Whole<>(Integer.class, null));
        module.addDeserializer(int.class, new Whole<>(int.class, null));
        module.addDeserializer(Long.class, new Whole<>(Long.class, null));
        module.addDeserializer(long.class, new Whole<>(long.class, null));
        module.addDeserializer(Duration.class, new Whole<>(Duration.class, null));
        module.addDeserializer(Boolean.class, new Flag());
        module.addDeserializer(boolean.class, new Flag());
        module.setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public JsonDeserializer<?> modifyCollectionDeserializer(
                    DeserializationConfig config,
                    CollectionType type,
                    BeanDescription description,
                    JsonDeserializer<?> deserializer) {
                return type.getContentType().getRawClass() == String.class
                        ? new CommaList(type.getRawClass())
                        : deserializer;
            }
        });
        this.mapper = new ObjectMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .registerModule(module);
    }

    /**
     * Binds {@code tree} onto {@code type}.
     *
     * @param unreadable a {@code _file} indirection that could not be read, by the key it stands for: reported when
     *     that key is one the section knows (otherwise the misspelt key is reported as unknown)
     */
    <T> T bind(JsonNode tree, Class<T> type, Map<String, SettingsException> unreadable) {
        try {
            return mapper.treeToValue(tree, type);
        } catch (UnrecognizedPropertyException e) {
            String key = key(e);
            String name = String.valueOf(e.getPropertyName());
            if (name.endsWith("_file")) {
                SettingsException unread = unreadable.get(key.substring(0, key.length() - "_file".length()));
                String base = name.substring(0, name.length() - "_file".length());
                if (unread != null && e.getKnownPropertyIds().contains(base)) throw unread;
            }
            List<String> leaves = new ArrayList<>();
            leaves(at(tree, key), key, leaves);
            throw new SettingsException("unknown config key " + String.join(", ", leaves)
                    + ": check the spelling against the documented keys in README.md");
        } catch (JsonMappingException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof Invalid invalid) {
                    String at = key(e);
                    String key = at.isEmpty() ? invalid.key : invalid.key.isEmpty() ? at : at + "." + invalid.key;
                    throw new SettingsException(key, invalid.value, invalid.fix);
                }
                if (cause instanceof SettingsException settings) throw settings;
            }
            String key = key(e);
            JsonNode value = at(tree, key);
            Class<?> target = e instanceof MismatchedInputException m ? m.getTargetType() : null;
            throw new SettingsException(key, value == null ? null : text(value), expected(target));
        } catch (IOException e) {
            throw new SettingsException("configuration can't be read: " + e.getMessage());
        }
    }

    private static String expected(Class<?> type) {
        if (type == null) return "check the documented form in README.md";
        if (type == String.class) return "expected a single value, not a list or section";
        if (Collection.class.isAssignableFrom(type)) return "expected a list or a comma-separated value";
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class)
            return "use a whole number";
        if (type == Boolean.class || type == boolean.class) return "use true or false";
        return "expected a section of name: value pairs";
    }

    /** The dotted key a mapping failure happened at: {@code policies[0].match.groups}. */
    private static String key(JsonMappingException e) {
        StringBuilder key = new StringBuilder();
        for (JsonMappingException.Reference reference : e.getPath()) {
            if (reference.getFieldName() != null) {
                if (!key.isEmpty()) key.append('.');
                key.append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                key.append('[').append(reference.getIndex()).append(']');
            }
        }
        return key.toString();
    }

    private static JsonNode at(JsonNode tree, String key) {
        JsonNode at = tree;
        for (String part : key.split("\\.")) {
            if (at == null || part.isEmpty()) break;
            int bracket = part.indexOf('[');
            at = at.get(bracket < 0 ? part : part.substring(0, bracket));
            while (at != null && bracket >= 0) {
                int close = part.indexOf(']', bracket);
                at = at.get(Integer.parseInt(part.substring(bracket + 1, close)));
                bracket = part.indexOf('[', close);
            }
        }
        return at;
    }

    private static void leaves(JsonNode node, String key, List<String> out) {
        if (node == null || !node.isObject() || node.isEmpty()) {
            out.add(key);
            return;
        }
        node.fields().forEachRemaining(entry -> leaves(entry.getValue(), key + "." + entry.getKey(), out));
    }

    private static String text(JsonNode value) {
        return value.isValueNode() ? value.asText() : value.toString();
    }

    private static String scalar(JsonParser parser, String fix) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY)
            throw new Invalid("", parser.readValueAsTree().toString(), fix);
        return parser.getValueAsString("").strip();
    }

    /** A whole number, as YAML or as text, within the key's {@link Range}; a {@link Duration} in its unit. */
    private static final class Whole<T> extends JsonDeserializer<T> implements ContextualDeserializer {
        private final Class<?> type;
        private final Range range;

        Whole(Class<?> type, Range range) {
            this.type = type;
            this.range = range;
        }

        @Override
        public JsonDeserializer<?> createContextual(DeserializationContext context, BeanProperty property) {
            Range declared = property == null ? null : property.getAnnotation(Range.class);
            return declared == null ? this : new Whole<T>(type, declared);
        }

        @Override
        @SuppressWarnings("unchecked")
        public T deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            String fix = range == null
                    ? "use a whole number"
                    : "use a whole number from " + range.min() + " to " + range.max();
            String text = scalar(parser, fix);
            long value;
            try {
                value = Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new Invalid("", text, fix);
            }
            boolean wide = type == long.class || type == Long.class;
            long min = range != null ? range.min() : wide ? Long.MIN_VALUE : Integer.MIN_VALUE;
            long max = range != null ? range.max() : wide ? Long.MAX_VALUE : Integer.MAX_VALUE;
            if (value < min || value > max) throw new Invalid("", text, fix);
            if (type == Duration.class) {
                if (range == null || range.unit() == ChronoUnit.FOREVER)
                    throw new IllegalStateException("a Duration key needs @Range with a unit");
                return (T) Duration.of(value, range.unit());
            }
            Object number = wide ? (Object) value : (Object) (int) value;
            return (T) number;
        }

        @Override
        public T getNullValue(DeserializationContext context) {
            @SuppressWarnings("unchecked")
            T zero = (T) (type == int.class ? (Object) 0 : type == long.class ? (Object) 0L : null);
            return zero;
        }
    }

    /** A size in bytes: {@code 33554432}, {@code 512KB}, {@code 32MB}, {@code 1GB}. */
    static final class ByteSize extends JsonDeserializer<Long> {
        private static final String FIX = "use a size such as 33554432, 512KB or 32MB";

        @Override
        public Long deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            String text = scalar(parser, FIX);
            String t = text.toUpperCase(Locale.ROOT).replace(" ", "");
            long unit = 1;
            if (t.endsWith("KB") || t.endsWith("MB") || t.endsWith("GB")) {
                unit = t.endsWith("KB") ? 1024 : t.endsWith("MB") ? 1024 * 1024 : 1024L * 1024 * 1024;
                t = t.substring(0, t.length() - 2);
            }
            try {
                long value = Math.multiplyExact(Long.parseLong(t), unit);
                if (value > 0) return value;
            } catch (NumberFormatException | ArithmeticException e) {
                // reported below
            }
            throw new Invalid("", text, FIX);
        }
    }

    /** true/false, also as yes/no, on/off and 1/0 (as environment variables are often written). */
    private static final class Flag extends JsonDeserializer<Boolean> {
        @Override
        public Boolean getNullValue(DeserializationContext context) {
            return false;
        }

        @Override
        public Boolean deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            String text = scalar(parser, "use true or false");
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on", "1" -> true;
                case "false", "no", "off", "0" -> false;
                default -> throw new Invalid("", text, "use true or false");
            };
        }
    }

    /** A list of plain values, or one comma-separated string (as environment variables give). */
    private static final class CommaList extends JsonDeserializer<Object> {
        private final Class<?> type;

        CommaList(Class<?> type) {
            this.type = type;
        }

        @Override
        public Object deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            JsonToken token = parser.currentToken();
            if (token == JsonToken.START_OBJECT)
                throw new Invalid(
                        "", parser.readValueAsTree().toString(), "expected a list or a comma-separated value");
            Collection<String> out = empty();
            if (token == JsonToken.START_ARRAY) {
                JsonNode items = parser.readValueAsTree();
                for (JsonNode item : items) {
                    if (item.isContainerNode())
                        throw new Invalid("", item.toString(), "list items must be plain values");
                    if (!item.isNull() && !item.asText().isBlank())
                        out.add(item.asText().strip());
                }
                return out;
            }
            for (String part : parser.getValueAsString("").split(",")) if (!part.isBlank()) out.add(part.strip());
            return out;
        }

        @Override
        public Object getNullValue(DeserializationContext context) {
            return empty();
        }

        /** A list left out of a section is null, so a record can tell it from an empty one. */
        @Override
        public Object getAbsentValue(DeserializationContext context) {
            return null;
        }

        private Collection<String> empty() {
            return Set.class.isAssignableFrom(type) ? new LinkedHashSet<>() : new ArrayList<>();
        }
    }
}
