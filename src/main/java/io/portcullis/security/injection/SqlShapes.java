package io.portcullis.security.injection;

import static io.portcullis.security.injection.SqlTokenType.COMMA;
import static io.portcullis.security.injection.SqlTokenType.COMMENT;
import static io.portcullis.security.injection.SqlTokenType.END;
import static io.portcullis.security.injection.SqlTokenType.LEFT_PAREN;
import static io.portcullis.security.injection.SqlTokenType.STATEMENT;
import static io.portcullis.security.injection.SqlTokenType.STRING;

/**
 * Shapes {@link SqlContextParser} recognises by looking a few tokens ahead: whether a statement keyword starts
 * something a database would run ("DELETE FROM", "DROP TABLE", "EXEC xp_cmdshell") rather than an English sentence
 * ("delete my account", "drop me a line"), what may follow SELECT, and which tokens start or prefix an operand.
 */
final class SqlShapes {
    private SqlShapes() {}

    /**
     * UNION [ALL|DISTINCT] [(] SELECT from index {@code j}; when {@code strict}, with something selectable after
     * SELECT (after a broken-out quote any SELECT will do).
     */
    static boolean unionSelect(SqlTokenizer t, int j, boolean strict) {
        while (t.word(j) == SqlWord.ALL || t.word(j) == SqlWord.DISTINCT || t.type(j) == LEFT_PAREN || isPlus(t, j)) {
            j++;
        }
        return t.word(j) == SqlWord.SELECT && (!strict || looksLikeSelect(t, isPlus(t, j + 1) ? j + 2 : j + 1));
    }

    static boolean isPlus(SqlTokenizer t, int j) {
        return t.type(j) == SqlTokenType.ARITH && t.detail(j) == '+';
    }

    /** EXEC of an MSSQL procedure or of a variable holding dynamic SQL. */
    static boolean execOfProcedure(SqlTokenizer t, int j) {
        SqlWord word = t.word(j);
        return (word == SqlWord.EXEC || word == SqlWord.EXECUTE)
                && (t.isProcedureName(j + 1) || t.type(j + 1) == SqlTokenType.VARIABLE);
    }

    /** Whether the statement keyword at {@code j} starts what a database would run, not an English sentence. */
    static boolean looksLikeStatement(SqlTokenizer t, int j) {
        SqlWord next = t.word(j + 1);
        SqlTokenType nextType = t.type(j + 1);
        return switch (t.word(j)) {
            case SELECT -> looksLikeSelect(t, j + 1);
            case INSERT, REPLACE -> next == SqlWord.INTO;
            case UPDATE -> nextType == SqlTokenType.WORD && t.word(j + 2) == SqlWord.SET;
            case DELETE -> next == SqlWord.FROM;
            case DROP, CREATE, ALTER, TRUNCATE -> next == SqlWord.TABLE || next == SqlWord.DATABASE
                    || next == SqlWord.VIEW || next == SqlWord.INDEX || next == SqlWord.LOGIN
                    || next == SqlWord.TRIGGER || next == SqlWord.PROCEDURE || next == SqlWord.USER
                    || next == SqlWord.SCHEMA || next == SqlWord.COLUMN;
            case EXEC, EXECUTE -> t.isProcedureName(j + 1) || nextType == SqlTokenType.VARIABLE
                    || nextType == STRING || nextType == SqlTokenType.FUNCTION
                    || nextType == LEFT_PAREN && (t.type(j + 2) == SqlTokenType.VARIABLE || t.type(j + 2) == STRING);
            case DECLARE, SET -> nextType == SqlTokenType.VARIABLE;
            case SHUTDOWN -> nextType == END || nextType == COMMENT || nextType == SqlTokenType.SEMICOLON
                    || next == SqlWord.WITH;
            case WAITFOR -> next == SqlWord.DELAY || next == SqlWord.TIME;
            case GRANT -> next == SqlWord.ALL || nextType == STATEMENT;
            case BEGIN, COMMIT, ROLLBACK -> nextType == SqlTokenType.SEMICOLON || nextType == END;
            case COPY -> nextType == SqlTokenType.WORD && (t.word(j + 2) == SqlWord.TO || t.word(j + 2) == SqlWord.FROM);
            // SQLite's ATTACH [DATABASE] 'file' AS name opens (or creates) a file the attacker names
            case ATTACH -> next == SqlWord.DATABASE ? t.type(j + 2) == STRING
                    : nextType == STRING && t.word(j + 2) == SqlWord.AS;
            case null, default -> false;
        };
    }

    /** Whether what follows SELECT at {@code j} is something a query selects. */
    static boolean looksLikeSelect(SqlTokenizer t, int j) {
        return switch (t.type(j)) {
            case NUMBER, STRING, VARIABLE, SYSTEM_VARIABLE, FUNCTION, LEFT_PAREN -> true;
            case ARITH -> t.detail(j) == '*';
            case KEYWORD -> t.word(j) == SqlWord.ALL || t.word(j) == SqlWord.DISTINCT || t.word(j) == SqlWord.TOP
                    || t.word(j) == SqlWord.CASE && (t.word(j + 1) == SqlWord.WHEN || t.word(j + 2) == SqlWord.WHEN);
            case WORD -> t.word(j) != null || t.type(j + 1) == COMMA || t.word(j + 1) == SqlWord.FROM
                    || t.word(j + 1) == SqlWord.INTO;
            default -> false;
        };
    }

    /** Whether the token at {@code j} can start an operand. */
    static boolean startsOperand(SqlTokenizer t, int j) {
        return switch (t.type(j)) {
            case NUMBER, STRING, WORD, VARIABLE, SYSTEM_VARIABLE, FUNCTION, LEFT_PAREN, NOT -> true;
            case ARITH -> isUnary(t, j);
            case KEYWORD -> t.word(j) == SqlWord.CASE || t.word(j) == SqlWord.EXISTS;
            default -> false;
        };
    }

    /** A prefix operator: NOT, !, unary minus, plus or ~. */
    static boolean isUnary(SqlTokenizer t, int j) {
        SqlTokenType type = t.type(j);
        char c = t.detail(j);
        return type == SqlTokenType.NOT || type == SqlTokenType.ARITH && (c == '-' || c == '+' || c == '~');
    }

    /** A '+' standing for a space before a keyword, as in {@code 1+union+select} sent without form decoding. */
    static boolean skipsPlus(SqlTokenizer t, int j) {
        if (!isPlus(t, j)) {
            return false;
        }
        return switch (t.type(j + 1)) {
            case UNION, STATEMENT, KEYWORD, LOGIC -> true;
            case COMPARE -> t.word(j + 1) != null;
            default -> false;
        };
    }
}
