package io.portcullis.security.injection;

/**
 * The classes {@link SqlTokenizer} sorts SQL tokens into; {@link #code} is the letter a token contributes to the
 * fingerprint in a {@link Finding}'s rule.
 */
enum SqlTokenType {
    STRING('s'),
    NUMBER('n'),
    /** A column, table or other name; also a word the tokenizer does not know. */
    WORD('b'),
    VARIABLE('v'),
    /** {@code @@version} and the like. */
    SYSTEM_VARIABLE('@'),
    FUNCTION('f'),
    UNION('U'),
    STATEMENT('E'),
    KEYWORD('k'),
    COMPARE('='),
    LOGIC('&'),
    ARITH('o'),
    NOT('!'),
    LEFT_PAREN('('),
    RIGHT_PAREN(')'),
    COMMA(','),
    SEMICOLON(';'),
    COMMENT('c'),
    OTHER('x'),
    /** Past the last token (or past the token limit). */
    END('$');

    final char code;

    SqlTokenType(char code) {
        this.code = code;
    }
}
