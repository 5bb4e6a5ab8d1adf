package io.portcullis.security.injection;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Token classes per quoting context, and the comment rules a database applies. */
class SqlTokenizerTest {

    private static String bare(String value) {
        return new SqlTokenizer(value).reset((char) 0).fingerprint(SqlTokenizer.MAX_TOKENS);
    }

    private static String single(String value) {
        return new SqlTokenizer(value).reset('\'').fingerprint(SqlTokenizer.MAX_TOKENS);
    }

    @Test
    void classifiesTokens() {
        assertThat(bare("1 or 1=1")).isEqualTo("n&n=n");
        assertThat(bare("-1 union all select null, @@version, @x")).isEqualTo("onUkEn,@,v");
        assertThat(bare("1; drop table users")).isEqualTo("n;Ekb");
        assertThat(bare("x <> 'a' || y != \"b\" && z")).isEqualTo("b=s&b=s&b");
        assertThat(bare("0x41 1.5e3 .5 1e-3 true null")).isEqualTo("nnnnnn");
        assertThat(bare("a::int + b % c ^ ~d")).isEqualTo("boboboboob");
    }

    @Test
    void knowsFunctionsByNameOrByAnAdjacentParenthesis() {
        assertThat(bare("sleep (5)")).isEqualTo("f(n)");
        assertThat(bare("foo(5)")).isEqualTo("f(n)");
        assertThat(bare("foo (5)")).isEqualTo("b(n)");
        assertThat(bare("like('a', b)")).isEqualTo("f(s,b)");
        assertThat(bare("a like 'b'")).isEqualTo("b=s");
        assertThat(bare("user")).isEqualTo("b");
    }

    @Test
    void quotedContextStartsInsideTheString() {
        assertThat(single("O'Brien")).isEqualTo("sb");
        assertThat(single("x' or 'a'='a")).isEqualTo("s&s=s");
        assertThat(single("no quote at all")).isEqualTo("s");
        SqlTokenizer tokens = new SqlTokenizer("x' or 'a'='a").reset('\'');
        assertThat(tokens.isOpen(0)).isFalse();
        assertThat(tokens.isOpen(4)).isTrue();
        assertThat(new SqlTokenizer("no quote").reset('\'').isOpen(0)).isTrue();
    }

    @Test
    void aQuotedContextCanStartPastAnApostrophe() {
        SqlTokenizer tokens = new SqlTokenizer("O'Hara' union select 1").reset('\'', 2);
        assertThat(tokens.fingerprint(SqlTokenizer.MAX_TOKENS)).isEqualTo("sUEn");
        assertThat(tokens.isOpen(0)).isFalse();
        assertThat(tokens.reset('\'').fingerprint(SqlTokenizer.MAX_TOKENS)).isEqualTo("sbs"); // the second quote opens a string
    }

    @Test
    void tellsHexLiteralsThatSpellText() {
        SqlTokenizer tokens = new SqlTokenizer("0x61646d696e 0x4142 0x41 0xffff 0x404040 0b0101").reset((char) 0);
        assertThat(tokens.fingerprint(SqlTokenizer.MAX_TOKENS)).isEqualTo("nnnnnn");
        assertThat(tokens.isHexText(0)).isTrue(); // "admin"
        assertThat(tokens.isHexText(1)).isTrue(); // "AB"
        assertThat(tokens.isHexText(2)).isFalse(); // one byte
        assertThat(tokens.isHexText(3)).isFalse(); // not printable
        assertThat(tokens.isHexText(4)).isFalse(); // "@@@": no letter
        assertThat(tokens.isHexText(5)).isFalse();
    }

    @Test
    void doubledQuotesStayInsideTheString() {
        assertThat(single("it''s fine")).isEqualTo("s");
        assertThat(bare("'it''s' = x")).isEqualTo("s=b");
    }

    @Test
    void prefixedStringLiteralsAreStrings() {
        assertThat(bare("x'4142' n'abc' e'x'")).isEqualTo("sss");
    }

    @Test
    void closedBlockCommentsAreWhiteSpaceBetweenKeywordsAndNothingInsideWords() {
        assertThat(bare("1/**/union/**/select/**/1")).isEqualTo("nUEn");
        assertThat(bare("1 UN/**/ION SEL/**/ECT 1")).isEqualTo("nUEn");
        assertThat(bare("or/**/1")).isEqualTo("&n");
    }

    @Test
    void executableCommentsAreCode() {
        assertThat(bare("1 /*!50000union*/ /*!select*/ 1")).isEqualTo("nUEn");
    }

    @Test
    void lineCommentsAndOpenBlockCommentsEndTheStatement() {
        SqlTokenizer tokens = new SqlTokenizer("admin'-- -").reset('\'');
        assertThat(tokens.fingerprint(10)).isEqualTo("sc");
        assertThat(tokens.isBlankComment(1)).isTrue();
        assertThat(new SqlTokenizer("admin'# the rest").reset('\'').isBlankComment(1)).isFalse();
        assertThat(bare("1 /* open")).isEqualTo("nc");
        assertThat(bare("a - b")).isEqualTo("bob");
    }

    @Test
    void recognisesSystemNamesAndProcedures() {
        SqlTokenizer tokens = new SqlTokenizer("information_schema.tables master..xp_cmdshell").reset((char) 0);
        assertThat(tokens.word(0)).isEqualTo(SqlWord.INFORMATION_SCHEMA);
        assertThat(tokens.isProcedureName(1)).isTrue();
        assertThat(new SqlTokenizer("dbms_pipe.receive_message(").reset((char) 0).word(0))
                .isEqualTo(SqlWord.DBMS_PIPE);
    }

    @Test
    void stopsAtTheTokenLimit() {
        String many = "a,".repeat(100);
        assertThat(bare(many)).hasSize(SqlTokenizer.MAX_TOKENS);
    }

    @Test
    void reusesItsBuffersAcrossContexts() {
        SqlTokenizer tokens = new SqlTokenizer("1' or 1=1--");
        assertThat(tokens.reset((char) 0).fingerprint(10)).isEqualTo("ns");
        assertThat(tokens.reset('\'').fingerprint(10)).isEqualTo("s&n=nc");
        assertThat(tokens.reset('"').fingerprint(10)).isEqualTo("s");
    }
}
