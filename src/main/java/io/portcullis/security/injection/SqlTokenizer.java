package io.portcullis.security.injection;

/**
 * Splits a value into SQL tokens as if it had been pasted into a query in one quoting context: bare (a number or
 * name), or after an opening single or double quote. In a quoted context the first token is the string the value
 * is inside of; only if the value closes that string does anything after it become SQL, which is what lets
 * {@code O'Brien} through and stops {@code x' or 'a'='a}.
 *
 * <p>Comments are resolved here, the way a database would: a closed {@code /* ... *}{@code /} is white space, or
 * nothing inside a word ({@code UN/**}{@code /ION}, for filters that strip comments); MySQL's executable
 * {@code /*!50000 ... *}{@code /} is code; {@code --}, {@code #} and an unclosed {@code /*} end the statement and
 * become one comment token. Words are matched without regard to ASCII case, so a value that needed no decoding is
 * tokenized as it came.
 *
 * <p>Tokens are produced on demand, at most {@value #MAX_TOKENS} of them: {@link SqlContextParser} usually stops
 * after two or three, so ordinary text costs little, and no input costs more than one pass. Each token is packed in
 * a long (type, word, one char of detail, flags) so that the tokenizer allocates one small array; words are looked
 * up where they stand in the input, copied only when a comment splits one.
 */
final class SqlTokenizer {
    static final int MAX_TOKENS = 48;
    private static final long OPEN = 1L << 32;
    private static final long BLANK = 1L << 33;
    private static final long PROCEDURE_NAME = 1L << 34;
    private static final long PROSE = 1L << 35;
    private static final long HEX_TEXT = 1L << 36;
    /** An open string longer than this, or with white space in it, reads as text rather than a balancing quote. */
    private static final int SHORT_STRING = 16;

    private final CharSequence in;
    private final int length;
    private long[] tokens = new long[4];
    private char context;
    private int count;
    private int pos;
    private boolean done;
    private boolean inExecutableComment;
    private int stringFrom;

    /** A tokenizer for {@code in}; {@link #reset} chooses the context before use. */
    SqlTokenizer(CharSequence in) {
        this.in = in;
        this.length = in.length();
    }

    /**
     * Starts over in another context, reusing this tokenizer's buffers (one scan reads a value three times).
     *
     * @param context 0 for the bare context, else the quote ({@code '\''} or {@code '"'}) the value sits after
     */
    SqlTokenizer reset(char context) {
        return reset(context, 0);
    }

    /**
     * Starts over in a quoted context whose string already holds the value's first {@code stringFrom} chars: the
     * value closes its string at the first quote from there. The single-quote detector uses it to read
     * {@code O'Hara' UNION SELECT ...} past the apostrophe of a name.
     */
    SqlTokenizer reset(char context, int stringFrom) {
        this.context = context;
        this.stringFrom = stringFrom;
        count = 0;
        pos = 0;
        done = false;
        inExecutableComment = false;
        return this;
    }

    char context() {
        return context;
    }

    SqlTokenType type(int i) {
        long token = token(i);
        return token < 0 ? SqlTokenType.END : TYPES[(int) (token & 0x1F)];
    }

    /** The recognised word of token {@code i}, or null. */
    SqlWord word(int i) {
        long token = token(i);
        int ordinal = token < 0 ? 0 : (int) (token >>> 8 & 0xFF);
        return ordinal == 0 ? null : SqlWord.byOrdinal(ordinal - 1);
    }

    /** The operator's first char, or the quote of a string. */
    char detail(int i) {
        long token = token(i);
        return token < 0 ? 0 : (char) (token >>> 16 & 0xFFFF);
    }

    /** A string the value does not close: the query's own closing quote will. */
    boolean isOpen(int i) {
        return (token(i) & OPEN) != 0 && token(i) >= 0;
    }

    /**
     * An open string that holds prose (white space, or more than a few characters): the tail of a sentence with a
     * stray quote, not the {@code 'a} an injection leaves for the query's own quote to close.
     */
    boolean isProse(int i) {
        return (token(i) & PROSE) != 0 && token(i) >= 0;
    }

    /** A comment with nothing but a little punctuation in it: {@code --}, {@code -- -}, {@code #}, {@code /*}. */
    boolean isBlankComment(int i) {
        return (token(i) & BLANK) != 0 && token(i) >= 0;
    }

    /** A hex literal that spells text (see {@link #isText}): a string written without quotes. */
    boolean isHexText(int i) {
        return (token(i) & HEX_TEXT) != 0 && token(i) >= 0;
    }

    /** A name an MSSQL procedure would have ({@code xp_...}, {@code sp_...}). */
    boolean isProcedureName(int i) {
        return (token(i) & PROCEDURE_NAME) != 0 && token(i) >= 0;
    }

    /** The type codes of the tokens up to {@code end} (exclusive, clipped to what was read). */
    String fingerprint(int end) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < end && type(i) != SqlTokenType.END; i++) {
            out.append(type(i).code);
        }
        return out.toString();
    }

    private static final SqlTokenType[] TYPES = SqlTokenType.values();

    private long token(int i) {
        while (count <= i && !done) {
            produce();
        }
        return i < count ? tokens[i] : -1;
    }

    private void produce() {
        if (count == MAX_TOKENS) {
            done = true;
            return;
        }
        if (count == 0 && context != 0) {
            int end = stringEnd(stringFrom, context);
            add(pack(SqlTokenType.STRING, null, context) | (end < 0 ? OPEN : 0));
            pos = end < 0 ? length : end;
            done = end < 0;
            return;
        }
        skipSpace();
        if (pos >= length) {
            done = true;
            return;
        }
        char c = in.charAt(pos);
        char next = pos + 1 < length ? in.charAt(pos + 1) : 0;
        switch (c) {
            case '\'', '"' -> string(c);
            case '`' -> quotedName('`');
            case '[' -> quotedName(']');
            case '(' -> single(SqlTokenType.LEFT_PAREN, c);
            case ')' -> single(SqlTokenType.RIGHT_PAREN, c);
            case ',' -> single(SqlTokenType.COMMA, c);
            case ';' -> single(SqlTokenType.SEMICOLON, c);
            case '#' -> comment(pos + 1);
            case '-' -> {
                if (next == '-') {
                    comment(pos + 2);
                } else {
                    single(SqlTokenType.ARITH, c);
                }
            }
            case '/' -> {
                if (next == '*') {
                    comment(pos + 2); // skipSpace consumed every closed comment: this one runs to the end
                } else {
                    single(SqlTokenType.ARITH, c);
                }
            }
            case '@' -> variable(next);
            case '=' -> operator(SqlTokenType.COMPARE, next == '=' ? 2 : 1);
            case '<' -> lessThan(next);
            case '>' -> operator(next == '>' ? SqlTokenType.ARITH : SqlTokenType.COMPARE, next == '=' || next == '>' ? 2 : 1);
            case '!' -> operator(next == '=' || next == '<' || next == '>' ? SqlTokenType.COMPARE : SqlTokenType.NOT,
                    next == '=' || next == '<' || next == '>' ? 2 : 1);
            case '|' -> operator(next == '|' ? SqlTokenType.LOGIC : SqlTokenType.ARITH, next == '|' ? 2 : 1);
            case '&' -> operator(next == '&' ? SqlTokenType.LOGIC : SqlTokenType.ARITH, next == '&' ? 2 : 1);
            case ':' -> operator(next == '=' ? SqlTokenType.COMPARE : next == ':' ? SqlTokenType.ARITH
                    : SqlTokenType.OTHER, next == '=' || next == ':' ? 2 : 1);
            case '+', '*', '%', '^', '~' -> single(SqlTokenType.ARITH, c);
            default -> {
                if (isDigit(c) || c == '.' && isDigit(next)) {
                    number();
                } else if (isWordStart(c)) {
                    word();
                } else {
                    single(SqlTokenType.OTHER, c);
                }
            }
        }
    }

    private void skipSpace() {
        while (pos < length) {
            char c = in.charAt(pos);
            if (c <= ' ' || c == '\u00a0') {
                pos++;
            } else if (c == '/' && at(pos + 1) == '*') {
                if (at(pos + 2) == '!') {
                    inExecutableComment = true;
                    pos += 3;
                    while (pos < length && isDigit(in.charAt(pos))) {
                        pos++;
                    }
                } else {
                    int end = commentEnd(pos + 2);
                    if (end < 0) {
                        return;
                    }
                    pos = end;
                }
            } else if (c == '*' && at(pos + 1) == '/' && inExecutableComment) {
                inExecutableComment = false;
                pos += 2;
            } else {
                return;
            }
        }
    }

    /** Index after the {@code *}{@code /} closing a comment whose body starts at {@code from}, or -1. */
    private int commentEnd(int from) {
        for (int i = from; i + 1 < length; i++) {
            if (in.charAt(i) == '*' && in.charAt(i + 1) == '/') {
                return i + 2;
            }
        }
        return -1;
    }

    /** Index after the quote closing a string whose body starts at {@code from}, or -1; {@code ''} is a quote. */
    private int stringEnd(int from, char quote) {
        int i = from;
        while (i < length) {
            if (in.charAt(i) == quote) {
                if (at(i + 1) != quote) {
                    return i + 1;
                }
                i++;
            }
            i++;
        }
        return -1;
    }

    private void string(char quote) {
        int end = stringEnd(pos + 1, quote);
        add(pack(SqlTokenType.STRING, null, quote) | (end < 0 ? OPEN | prose(pos + 1) : 0));
        pos = end < 0 ? length : end;
    }

    private long prose(int from) {
        if (length - from > SHORT_STRING) {
            return PROSE;
        }
        for (int i = from; i < length; i++) {
            if (in.charAt(i) <= ' ') {
                return PROSE;
            }
        }
        return 0;
    }

    private void quotedName(char close) {
        int i = pos + 1;
        while (i < length && in.charAt(i) != close && i - pos <= 128) {
            i++;
        }
        if (i < length && in.charAt(i) == close) {
            add(pack(SqlTokenType.WORD, null, in.charAt(pos)));
            pos = i + 1;
        } else {
            single(SqlTokenType.OTHER, in.charAt(pos));
        }
    }

    private void comment(int bodyStart) {
        int letters = 0;
        int visible = 0;
        for (int i = bodyStart; i < length; i++) {
            char c = in.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                letters++;
            }
            if (c > ' ') {
                visible++;
            }
        }
        add(pack(SqlTokenType.COMMENT, null, in.charAt(pos)) | (letters == 0 && visible <= 3 ? BLANK : 0));
        pos = length;
        done = true;
    }

    private void variable(char next) {
        boolean system = next == '@';
        int start = pos + (system ? 2 : 1);
        int i = start;
        while (i < length && isWordPart(in.charAt(i))) {
            i++;
        }
        if (i == start) {
            single(SqlTokenType.OTHER, '@');
            return;
        }
        add(pack(system ? SqlTokenType.SYSTEM_VARIABLE : SqlTokenType.VARIABLE, null, '@'));
        pos = i;
    }

    private void lessThan(char next) {
        if (next == '=' && at(pos + 2) == '>') {
            operator(SqlTokenType.COMPARE, 3);
        } else if (next == '<') {
            operator(SqlTokenType.ARITH, 2);
        } else {
            operator(SqlTokenType.COMPARE, next == '=' || next == '>' ? 2 : 1);
        }
    }

    private void operator(SqlTokenType type, int chars) {
        add(pack(type, null, in.charAt(pos)));
        pos += chars;
    }

    private void single(SqlTokenType type, char c) {
        add(pack(type, null, c));
        pos++;
    }

    private void number() {
        int i = pos;
        long flags = 0;
        char x = (char) (at(i + 1) | 0x20);
        if (in.charAt(i) == '0' && (x == 'x' || x == 'b') && isHexDigit(at(i + 2))) {
            i += 2;
            while (i < length && isHexDigit(in.charAt(i))) {
                i++;
            }
            flags = x == 'x' && isText(pos + 2, i) ? HEX_TEXT : 0;
        } else {
            while (i < length && (isDigit(in.charAt(i)) || in.charAt(i) == '.')) {
                i++;
            }
            char e = (char) (at(i) | 0x20);
            if (e == 'e' && (isDigit(at(i + 1)) || (at(i + 1) == '-' || at(i + 1) == '+') && isDigit(at(i + 2)))) {
                i += 2;
                while (i < length && isDigit(in.charAt(i))) {
                    i++;
                }
            }
        }
        add(pack(SqlTokenType.NUMBER, null, '0') | flags);
        pos = i;
    }

    /**
     * Whether the hex digits in [from, to) spell two or more printable ASCII characters, a letter among them
     * ({@code 0x61646d696e} is "admin"; {@code 0x404040} is a grey, not a word).
     */
    private boolean isText(int from, int to) {
        if (to - from < 4 || (to - from) % 2 != 0) {
            return false;
        }
        boolean letter = false;
        for (int k = from; k < to; k += 2) {
            int b = Normalizer.hexDigit(in.charAt(k)) << 4 | Normalizer.hexDigit(in.charAt(k + 1));
            if (b < 0x20 || b > 0x7e) {
                return false;
            }
            letter |= Ascii.isLetter((char) b);
        }
        return letter;
    }

    private void word() {
        int start = pos;
        StringBuilder joined = null; // only when a comment splits the word
        boolean dotted = false;
        int i = pos;
        while (i < length) {
            char c = in.charAt(i);
            if (isWordPart(c) || c == '.' && (isWordPart(at(i + 1)) || at(i + 1) == '.')) {
                dotted |= c == '.';
                if (joined != null) {
                    joined.append(c);
                }
                i++;
            } else if (c == '/' && at(i + 1) == '*' && at(i + 2) != '!') {
                int end = commentEnd(i + 2);
                boolean keyword = joined != null ? SqlWord.lookup(joined, 0, joined.length()) != null
                        : SqlWord.lookup(in, start, i) != null;
                if (end < 0 || !isWordPart(at(end)) || keyword) {
                    break; // a comment after a whole keyword is white space: UNION/**/SELECT
                }
                if (joined == null) {
                    joined = new StringBuilder().append(in, start, i);
                }
                i = end; // a comment inside a word joins its halves: UN/**/ION
            } else {
                break;
            }
        }
        pos = i;
        CharSequence text = joined != null ? joined : in;
        int from = joined != null ? 0 : start;
        int to = joined != null ? joined.length() : i;
        char first = lower(text.charAt(from));
        if (to - from == 1 && at(pos) == '\'' && "xbne".indexOf(first) >= 0) {
            string('\''); // x'4142', N'text', E'text', b'0101'
            return;
        }
        SqlWord known = lookup(text, from, to, dotted);
        long flags = isProcedure(text, from, to) ? PROCEDURE_NAME : 0;
        int paren = afterSpace(pos);
        boolean call = paren < length && in.charAt(paren) == '(';
        SqlTokenType type;
        if (call && (known == null ? paren == pos : known.isFunction() || known.callable && paren == pos)) {
            type = SqlTokenType.FUNCTION;
        } else if (known == null) {
            type = SqlTokenType.WORD;
        } else {
            type = switch (known.role) {
                case UNION -> SqlTokenType.UNION;
                case STATEMENT -> SqlTokenType.STATEMENT;
                case CLAUSE, CASE, EXISTS -> SqlTokenType.KEYWORD;
                case COMPARE -> SqlTokenType.COMPARE;
                case LOGIC -> SqlTokenType.LOGIC;
                case NOT -> SqlTokenType.NOT;
                case ARITH -> SqlTokenType.ARITH;
                case LITERAL -> SqlTokenType.NUMBER;
                case ATTACK_FUNCTION, SQL_FUNCTION, NILADIC_FUNCTION, SYSTEM_TABLE -> SqlTokenType.WORD;
            };
        }
        add(pack(type, known, first) | flags);
    }

    /** The word itself, else for a dotted name its schema ({@code information_schema.tables}). */
    private static SqlWord lookup(CharSequence text, int from, int to, boolean dotted) {
        SqlWord known = SqlWord.lookup(text, from, to);
        if (known != null || !dotted) {
            return known;
        }
        int dot = from;
        while (text.charAt(dot) != '.') {
            dot++;
        }
        SqlWord schema = SqlWord.lookup(text, from, dot);
        return schema != null && schema.role == SqlWord.Role.SYSTEM_TABLE ? schema : null;
    }

    /** Whether the last part of a (dotted) name is an MSSQL procedure's: {@code master..xp_cmdshell}. */
    private static boolean isProcedure(CharSequence text, int from, int to) {
        int start = to;
        while (start > from && text.charAt(start - 1) != '.') {
            start--;
        }
        char first = lower(text.charAt(start < to ? start : from));
        return to - start > 3 && (first == 'x' || first == 's') && lower(text.charAt(start + 1)) == 'p'
                && text.charAt(start + 2) == '_';
    }

    private static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c | 0x20) : c;
    }

    /** The index of the first char from {@code from} that is neither white space nor a closed comment. */
    private int afterSpace(int from) {
        int i = from;
        while (i < length) {
            char c = in.charAt(i);
            if (c <= ' ') {
                i++;
            } else if (c == '/' && at(i + 1) == '*' && at(i + 2) != '!') {
                int end = commentEnd(i + 2);
                if (end < 0) {
                    return length;
                }
                i = end;
            } else {
                return i;
            }
        }
        return i;
    }

    private void add(long token) {
        if (count == tokens.length) {
            tokens = java.util.Arrays.copyOf(tokens, Math.min(MAX_TOKENS, count * 2));
        }
        tokens[count++] = token;
    }

    private static long pack(SqlTokenType type, SqlWord known, char detail) {
        return type.ordinal() | (long) (known == null ? 0 : known.ordinal() + 1) << 8 | (long) detail << 16;
    }

    private char at(int i) {
        return i < length ? in.charAt(i) : 0;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isHexDigit(char c) {
        return Normalizer.hexDigit(c) >= 0;
    }

    private static boolean isWordStart(char c) {
        return (c | 0x20) >= 'a' && (c | 0x20) <= 'z' || c == '_' || c >= 0x80 && Character.isLetter(c);
    }

    private static boolean isWordPart(char c) {
        return isWordStart(c) || isDigit(c) || c == '$';
    }
}
