package io.portcullis.security.injection;

import static io.portcullis.security.injection.SqlTokenType.COMMA;
import static io.portcullis.security.injection.SqlTokenType.COMMENT;
import static io.portcullis.security.injection.SqlTokenType.COMPARE;
import static io.portcullis.security.injection.SqlTokenType.END;
import static io.portcullis.security.injection.SqlTokenType.LEFT_PAREN;
import static io.portcullis.security.injection.SqlTokenType.NUMBER;
import static io.portcullis.security.injection.SqlTokenType.STATEMENT;
import static io.portcullis.security.injection.SqlTokenType.STRING;

/**
 * Decides whether the tokens of one quoting context form an injection, by reading them with a small SQL grammar
 * anchored at the start of the value, where the application's query continues. A value only becomes SQL after its
 * first operand: in a quoted context that is the string it has to close, in the bare context a number or name. What
 * follows must then continue a WHERE clause, an ORDER BY or a list the way injections do (a logical or comparison
 * operator, UNION, a semicolon, ORDER BY, ASC or DESC, a comma and the next item, MSSQL's IF, a comment) and keep
 * making sense token after token. English stops making sense within a word or two ("O'Brien said" is a string
 * followed by a name), so the grammar also bounds the work.
 *
 * <p>Along the way the parser collects evidence: a comparison of constants after AND/OR (a tautology), UNION
 * SELECT, a stacked statement, an attack function (a delay, an error that leaks data, file or shell access), a
 * subquery, a system variable or table, ORDER BY a column number, a string spelled in hex and compared after
 * AND/OR. Any of those is an injection in any context. In
 * a quoted context it is enough, besides, that the value closes its string, continues with an operator and leaves
 * the query well formed: it ends in a comment, after a semicolon, or inside a new string the query's own closing
 * quote completes ({@code x' or name like '%}). Parenthesised groups are read loosely (balanced, scanned for
 * evidence) rather than parsed, since a function's arguments or a subquery need no more.
 */
final class SqlContextParser {
    private static final int UNION = 1;
    private static final int STACKED = 1 << 1;
    private static final int TIME_DELAY = 1 << 2;
    private static final int FILE_ACCESS = 1 << 3;
    private static final int ATTACK_FUNCTION = 1 << 4;
    private static final int SUBQUERY = 1 << 5;
    private static final int SYSTEM_VARIABLE = 1 << 6;
    private static final int SYSTEM_TABLE = 1 << 7;
    private static final int TAUTOLOGY = 1 << 8;
    private static final int ORDER_PROBE = 1 << 9;
    private static final int SQL_FUNCTION = 1 << 10;
    private static final int LITERAL_AFTER_LOGIC = 1 << 11;
    private static final int COMPARE_AFTER_LOGIC = 1 << 12;
    private static final int LOGIC = 1 << 13;
    private static final int HEX_STRING = 1 << 14;
    /** Evidence that is an injection wherever it appears, strongest first (the order names the rule). */
    private static final int[] DECISIVE = {UNION, STACKED, TIME_DELAY, FILE_ACCESS, ATTACK_FUNCTION, SUBQUERY,
            SYSTEM_VARIABLE, SYSTEM_TABLE, TAUTOLOGY, HEX_STRING, ORDER_PROBE};
    private static final String[] DECISIVE_NAMES = {"union", "stacked", "time-delay", "file", "function", "subquery",
            "system-variable", "system-table", "tautology", "hex-string", "order-probe"};

    /** Operand kinds: bit flags, or FAILED. */
    private static final int VARYING = 0;
    private static final int CONSTANT = 1;
    private static final int COMPARES = 2;
    private static final int FAILED = -1;

    /** How the token stream stopped; RUNNING while it has not. */
    private enum Stop {
        RUNNING, EOF, COMMENT, BLANK_COMMENT, SEMICOLON, OPEN_STRING, FAILED
    }

    private final SqlTokenizer t;
    private final boolean quoted;
    private int i;
    private int evidence;
    private int headEvidence;
    private Stop stop = Stop.RUNNING;
    private int tailElements;
    private boolean inTail;
    private int lastPredicate;
    private boolean lastHexText;

    private SqlContextParser(SqlTokenizer tokens) {
        this.t = tokens;
        this.quoted = tokens.context() != 0;
    }

    /** The rule name the tokens match ("tautology", "union", "breakout", ...), or null. */
    static String match(SqlTokenizer tokens) {
        SqlContextParser parser = new SqlContextParser(tokens);
        parser.run();
        return parser.verdict();
    }

    /**
     * Like {@link #match}, but only for evidence that is an injection wherever it appears: for a reading that is a
     * guess (the single-quote context past a name's apostrophe), where a well-formed breakout alone is too little.
     */
    static String matchEvidence(SqlTokenizer tokens) {
        SqlContextParser parser = new SqlContextParser(tokens);
        parser.run();
        return parser.decisive();
    }

    private void run() {
        if (quoted) {
            if (t.type(0) != STRING || t.isOpen(0)) {
                return; // the value never leaves its string
            }
            i = 1;
        } else if (t.type(0) == STATEMENT) {
            statement();
            return;
        } else if (SqlShapes.startsOperand(t, 0)) {
            predicate();
            headEvidence = evidence;
            evidence = 0;
        }
        inTail = true;
        tail();
        if (stop != Stop.FAILED) {
            evidence |= headEvidence; // "sleep(5)#" is an attack, "sleep(5) vs time.sleep(5)" a question
        }
    }

    private void tail() {
        while (stop == Stop.RUNNING) {
            switch (t.type(i)) {
                case END -> stop = Stop.EOF;
                case RIGHT_PAREN -> i++; // closes a parenthesis the application's query opened
                case COMMENT -> stop = t.isBlankComment(i) ? Stop.BLANK_COMMENT : Stop.COMMENT;
                case SEMICOLON -> semicolon();
                case UNION -> union();
                case COMMA -> {
                    // the value is one item of a list: ORDER BY a, (SELECT ...) or VALUES ('x', (SELECT ...)); only
                    // evidence in the next items counts, a comma is no operator for the breakout verdict
                    i++;
                    predicate();
                }
                case LOGIC -> {
                    i++;
                    tailElements++;
                    evidence |= LOGIC;
                    logicalOperand();
                }
                case NOT, COMPARE, ARITH -> {
                    if (SqlShapes.skipsPlus(t, i)) {
                        i++;
                    } else if (t.type(i) == SqlTokenType.NOT && t.type(i + 1) != COMPARE) {
                        stop = Stop.FAILED;
                    } else {
                        i += t.type(i) == SqlTokenType.NOT ? 2 : 1;
                        tailElements++;
                        predicate();
                    }
                }
                case KEYWORD -> {
                    tailElements++;
                    clause();
                }
                case STATEMENT -> {
                    tailElements++;
                    inlineStatement();
                }
                case WORD, FUNCTION -> {
                    if (t.word(i) == SqlWord.IF) {
                        tailElements++;
                        conditional();
                    } else {
                        stop = Stop.FAILED;
                    }
                }
                default -> stop = Stop.FAILED;
            }
        }
    }

    /** An operand, then any number of arithmetic or comparison operators each with its operand. */
    private void predicate() {
        int kind = CONSTANT;
        boolean hexText = false;
        while (true) {
            while (SqlShapes.isUnary(t, i)) {
                i++;
            }
            hexText |= t.isHexText(i);
            int operand = operand();
            if (operand == FAILED) {
                stop = Stop.FAILED;
                return;
            }
            kind = kind & operand & CONSTANT | (kind | operand) & COMPARES;
            if (stop != Stop.RUNNING) {
                break;
            }
            SqlTokenType next = t.type(i);
            if (next == SqlTokenType.NOT && t.type(i + 1) == COMPARE) {
                i++;
                next = COMPARE;
            }
            if (next != COMPARE && (next != SqlTokenType.ARITH || SqlShapes.skipsPlus(t, i))) {
                break;
            }
            kind |= next == COMPARE ? COMPARES : 0;
            i++;
        }
        lastPredicate = kind;
        lastHexText = hexText;
    }

    private void logicalOperand() {
        predicate();
        if (stop == Stop.FAILED) {
            return;
        }
        boolean constant = (lastPredicate & CONSTANT) != 0;
        boolean compares = (lastPredicate & COMPARES) != 0;
        evidence |= constant ? (compares ? TAUTOLOGY : LITERAL_AFTER_LOGIC) : (compares ? COMPARE_AFTER_LOGIC : 0);
        // and username=0x61646d696e: a string spelled in hex, as an attack writes one where quotes are escaped
        evidence |= compares && lastHexText ? HEX_STRING : 0;
    }

    private int operand() {
        switch (t.type(i)) {
            case NUMBER -> {
                i++;
                return CONSTANT;
            }
            case STRING -> {
                if (t.isOpen(i)) {
                    openString(i);
                }
                i++;
                return CONSTANT;
            }
            case VARIABLE -> {
                i++;
                return VARYING;
            }
            case SYSTEM_VARIABLE -> {
                evidence |= SYSTEM_VARIABLE;
                i++;
                return VARYING;
            }
            case WORD -> {
                if (t.word(i) != null && t.word(i).role == SqlWord.Role.NILADIC_FUNCTION && inTail) {
                    evidence |= SQL_FUNCTION;
                }
                i++;
                return VARYING;
            }
            case FUNCTION -> {
                noteFunction(i);
                // char(49)=char(49) is a tautology; count(*) > 1 or an unknown function of constants is not
                SqlWord name = t.word(i);
                boolean pure = name != null && name.isFunction() && name != SqlWord.COUNT;
                i++;
                int args = t.type(i) == LEFT_PAREN ? group(false) : CONSTANT;
                return args == FAILED ? FAILED : pure ? args : args & ~CONSTANT;
            }
            case LEFT_PAREN -> {
                return group(false);
            }
            case KEYWORD -> {
                if (t.word(i) == SqlWord.EXISTS && t.type(i + 1) == LEFT_PAREN) {
                    i++;
                    return group(false);
                }
                if (t.word(i) == SqlWord.CASE) {
                    i++;
                    return group(true);
                }
                return FAILED;
            }
            default -> {
                return FAILED;
            }
        }
    }

    /**
     * A parenthesised group from its '(' to the matching ')', or a CASE expression up to its END, read loosely:
     * balanced and scanned for evidence, not parsed.
     */
    private int group(boolean untilEnd) {
        int depth = 0;
        int kind = CONSTANT;
        while (true) {
            switch (t.type(i)) {
                case END -> {
                    stop = Stop.EOF;
                    return kind;
                }
                case COMMENT -> {
                    stop = t.isBlankComment(i) ? Stop.BLANK_COMMENT : Stop.COMMENT;
                    return kind;
                }
                case LEFT_PAREN -> depth++;
                case RIGHT_PAREN -> {
                    if (--depth == 0 && !untilEnd) {
                        i++;
                        return kind;
                    }
                    if (depth < 0) {
                        return FAILED;
                    }
                }
                case KEYWORD -> {
                    if (untilEnd && depth == 0 && t.word(i) == SqlWord.END) {
                        i++;
                        return kind;
                    }
                }
                case STRING -> {
                    if (t.isOpen(i)) {
                        openString(i);
                        i++;
                        return kind;
                    }
                }
                case STATEMENT -> {
                    kind &= ~CONSTANT;
                    if (SqlShapes.looksLikeStatement(t, i)) {
                        evidence |= t.word(i) == SqlWord.SELECT ? SUBQUERY : STACKED;
                    }
                }
                case UNION -> evidence |= SqlShapes.unionSelect(t, i + 1, !quoted) ? UNION : 0;
                case FUNCTION -> noteFunction(i);
                case SYSTEM_VARIABLE -> {
                    evidence |= SYSTEM_VARIABLE;
                    kind &= ~CONSTANT;
                }
                case WORD, VARIABLE -> {
                    noteWord(i);
                    kind &= ~CONSTANT;
                }
                case COMPARE -> kind |= COMPARES;
                default -> {
                }
            }
            i++;
        }
    }

    /** The value ends inside a string; it completes the query only if the query's own quote can close it. */
    private void openString(int j) {
        stop = t.detail(j) == t.context() && !t.isProse(j) ? Stop.OPEN_STRING : Stop.EOF;
    }

    private void semicolon() {
        i++;
        SqlTokenType next = t.type(i);
        if (next == END || next == COMMENT) {
            stop = Stop.SEMICOLON;
        } else if (next == STATEMENT && (quoted || SqlShapes.looksLikeStatement(t, i))) {
            evidence |= t.word(i) == SqlWord.WAITFOR ? TIME_DELAY : STACKED;
            stop = Stop.SEMICOLON;
        } else {
            evidenceScan(); // another statement the grammar does not know (MSSQL's IF): only evidence counts
            stop = Stop.FAILED;
        }
    }

    private void union() {
        if (SqlShapes.unionSelect(t, i + 1, !quoted)) {
            evidence |= UNION;
            stop = Stop.EOF;
        } else {
            stop = Stop.FAILED;
        }
    }

    /** ORDER BY, GROUP BY, HAVING, LIMIT, INTO OUTFILE, PROCEDURE ANALYSE after the value's operand. */
    private void clause() {
        SqlWord word = t.word(i);
        if ((word == SqlWord.ORDER || word == SqlWord.GROUP) && t.word(i + 1) == SqlWord.BY) {
            i += 2;
            boolean number = false;
            while (true) {
                number |= t.type(i) == NUMBER;
                if (operand() == FAILED) {
                    stop = Stop.FAILED;
                    return;
                }
                if (t.word(i) == SqlWord.ASC || t.word(i) == SqlWord.DESC) {
                    i++;
                }
                if (stop != Stop.RUNNING || t.type(i) != COMMA) {
                    break;
                }
                i++;
            }
            // ORDER BY 5 probes the column count; "order by 5pm" is a delivery promise
            SqlTokenType next = t.type(i);
            if (number && (stop != Stop.RUNNING || next == END || next == COMMENT || next == SqlTokenType.SEMICOLON
                    || next == SqlTokenType.RIGHT_PAREN || next == SqlTokenType.UNION || t.word(i) == SqlWord.LIMIT
                    || t.word(i) == SqlWord.HAVING)) {
                evidence |= ORDER_PROBE;
            }
        } else if (word == SqlWord.ASC || word == SqlWord.DESC) {
            i++; // the value is an ORDER BY item: name DESC, (SELECT ...)
        } else if (word == SqlWord.HAVING) {
            i++;
            logicalOperand();
        } else if (word == SqlWord.LIMIT && t.type(i + 1) == NUMBER) {
            i += 2;
            if ((t.type(i) == COMMA || t.word(i) == SqlWord.OFFSET) && t.type(i + 1) == NUMBER) {
                i += 2;
            }
        } else if (word == SqlWord.INTO && (t.word(i + 1) == SqlWord.OUTFILE || t.word(i + 1) == SqlWord.DUMPFILE)) {
            evidence |= FILE_ACCESS;
            stop = Stop.EOF;
        } else if (word == SqlWord.PROCEDURE && t.type(i + 1) == SqlTokenType.FUNCTION) {
            evidence |= ATTACK_FUNCTION;
            stop = Stop.EOF;
        } else {
            stop = Stop.FAILED;
        }
    }

    /**
     * A statement keyword straight after the operand, as MSSQL runs {@code 1 waitfor delay ...} without ';'. Only a
     * delay or a procedure call counts: "postgres create index" is a search, and "between 'select' and 'choose'"
     * a sentence, not statements.
     */
    private void inlineStatement() {
        boolean delay = t.word(i) == SqlWord.WAITFOR && SqlShapes.looksLikeStatement(t, i);
        if (delay || SqlShapes.execOfProcedure(t, i)) {
            evidence |= delay ? TIME_DELAY : STACKED;
            stop = Stop.EOF;
        } else {
            stop = Stop.FAILED;
        }
    }

    /**
     * MSSQL's IF after the operand: a condition, then the statement it guards, as in
     * {@code ' IF (1=1) WAITFOR DELAY '0:0:5'--}. The condition has to compare and the statement has to look like
     * one, so "all if (needed) select all" stays a sentence.
     */
    private void conditional() {
        i++;
        predicate();
        if (stop != Stop.RUNNING || (lastPredicate & COMPARES) == 0 || t.type(i) != STATEMENT) {
            stop = Stop.FAILED;
        } else if (t.word(i) == SqlWord.WAITFOR && SqlShapes.looksLikeStatement(t, i)) {
            evidence |= TIME_DELAY;
            stop = Stop.EOF;
        } else if (SqlShapes.looksLikeStatement(t, i) || SqlShapes.execOfProcedure(t, i)) {
            evidence |= STACKED;
            stop = Stop.EOF;
        } else {
            stop = Stop.FAILED;
        }
    }

    /**
     * A bare value that is a whole statement, or several: only evidence of an attack counts, since a plain SELECT
     * or a pasted transaction may be a search for one.
     */
    private void statement() {
        if (SqlShapes.looksLikeStatement(t, 0)) {
            evidenceScan();
        }
    }

    /** Collects the evidence in the tokens from {@code i} to the end, without parsing them. */
    private void evidenceScan() {
        for (; t.type(i) != END; i++) {
            switch (t.type(i)) {
                case FUNCTION -> noteFunction(i);
                case SYSTEM_VARIABLE -> evidence |= SYSTEM_VARIABLE;
                case WORD -> noteWord(i);
                case UNION -> evidence |= SqlShapes.unionSelect(t, i + 1, !quoted) ? UNION : 0;
                case KEYWORD -> evidence |= t.word(i) == SqlWord.INTO
                        && (t.word(i + 1) == SqlWord.OUTFILE || t.word(i + 1) == SqlWord.DUMPFILE) ? FILE_ACCESS : 0;
                case STATEMENT -> evidence |= t.word(i) == SqlWord.WAITFOR && SqlShapes.looksLikeStatement(t, i)
                        ? TIME_DELAY : SqlShapes.execOfProcedure(t, i) ? ATTACK_FUNCTION : 0;
                default -> {
                }
            }
        }
    }

    private void noteFunction(int j) {
        SqlWord word = t.word(j);
        if (word != null && word.role == SqlWord.Role.ATTACK_FUNCTION || t.isProcedureName(j)) {
            evidence |= ATTACK_FUNCTION;
        } else if (word != null && word.role == SqlWord.Role.SQL_FUNCTION && inTail) {
            evidence |= SQL_FUNCTION;
        }
    }

    private void noteWord(int j) {
        SqlWord word = t.word(j);
        if (word != null && word.role == SqlWord.Role.SYSTEM_TABLE) {
            evidence |= SYSTEM_TABLE;
        }
    }

    /**
     * Whether the whole value is numbers compared with '<' or '>' (also '<=', '>=', '<>') and joined by '&&', as
     * {@code 5 < 6 && 7 > 3}: with no keyword, quote, '=' or comment it is arithmetic someone wrote down, not a
     * tautology sent to a query ({@code 1=1 && 2=2} still is one).
     */
    private boolean orderingChain() {
        for (int j = 0; j < SqlTokenizer.MAX_TOKENS; j += 4) {
            char compare = t.detail(j + 1);
            if (!plainNumber(j) || t.type(j + 1) != COMPARE || t.word(j + 1) != null || compare != '<' && compare != '>'
                    || !plainNumber(j + 2)) {
                return false;
            }
            if (t.type(j + 3) == END) {
                return true;
            }
            if (t.type(j + 3) != SqlTokenType.LOGIC || t.detail(j + 3) != '&') {
                return false;
            }
        }
        return false;
    }

    private boolean plainNumber(int j) {
        return t.type(j) == NUMBER && t.word(j) == null;
    }

    private String decisive() {
        int found = evidence;
        if (!quoted && (found & TAUTOLOGY) != 0 && orderingChain()) {
            found &= ~TAUTOLOGY;
        }
        for (int k = 0; k < DECISIVE.length; k++) {
            if ((found & DECISIVE[k]) != 0) {
                return DECISIVE_NAMES[k];
            }
        }
        return null;
    }

    private String verdict() {
        String decisive = decisive();
        if (decisive != null) {
            return decisive;
        }
        boolean terminated = stop == Stop.COMMENT || stop == Stop.BLANK_COMMENT || stop == Stop.SEMICOLON;
        if ((evidence & SQL_FUNCTION) != 0 && (quoted || terminated || (evidence & LOGIC) != 0)) {
            return "sql-function";
        }
        if ((evidence & (LITERAL_AFTER_LOGIC | COMPARE_AFTER_LOGIC)) != 0 && terminated) {
            return "logic-comment";
        }
        if (!quoted || stop == Stop.FAILED || stop == Stop.RUNNING) {
            return null;
        }
        if (tailElements == 0) {
            return stop == Stop.BLANK_COMMENT || stop == Stop.SEMICOLON ? "comment-breakout" : null;
        }
        return terminated || stop == Stop.OPEN_STRING ? "breakout" : null;
    }
}
