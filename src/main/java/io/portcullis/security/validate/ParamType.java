package io.portcullis.security.validate;

import java.util.Locale;

/**
 * The type a query parameter's decoded value must have. The grammars are JSON's, so that a value the gateway accepts
 * as a number is one every backend language parses the same way (no hex, no {@code NaN}, no leading {@code +}).
 */
public enum ParamType {
    /** Any value. */
    STRING {
        @Override
        boolean accepts(String value) {
            return true;
        }
    },
    /** An optional minus sign and digits, within a signed 64-bit integer. */
    INTEGER {
        @Override
        boolean accepts(String value) {
            int start = value.startsWith("-") ? 1 : 0;
            int digits = value.length() - start;
            if (digits == 0 || digits > 19 || !allDigits(value, start, value.length())) {
                return false;
            }
            if (digits < 19) {
                return true;
            }
            String magnitude = value.substring(start);
            return magnitude.compareTo(start == 1 ? "9223372036854775808" : "9223372036854775807") <= 0;
        }
    },
    /** A JSON number: {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?}. */
    NUMBER {
        @Override
        boolean accepts(String value) {
            int i = value.startsWith("-") ? 1 : 0;
            int n = value.length();
            int intStart = i;
            while (i < n && isDigit(value.charAt(i))) {
                i++;
            }
            if (i == intStart || (value.charAt(intStart) == '0' && i - intStart > 1)) {
                return false;
            }
            if (i < n && value.charAt(i) == '.') {
                int fracStart = ++i;
                while (i < n && isDigit(value.charAt(i))) {
                    i++;
                }
                if (i == fracStart) {
                    return false;
                }
            }
            if (i < n && (value.charAt(i) == 'e' || value.charAt(i) == 'E')) {
                i++;
                if (i < n && (value.charAt(i) == '+' || value.charAt(i) == '-')) {
                    i++;
                }
                int expStart = i;
                while (i < n && isDigit(value.charAt(i))) {
                    i++;
                }
                if (i == expStart) {
                    return false;
                }
            }
            return i == n;
        }
    },
    /** {@code true} or {@code false}, lower case. */
    BOOLEAN {
        @Override
        boolean accepts(String value) {
            return value.equals("true") || value.equals("false");
        }
    };

    abstract boolean accepts(String value);

    /** The config spelling: {@code string}, {@code integer}, {@code number}, {@code boolean}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    private static boolean allDigits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
