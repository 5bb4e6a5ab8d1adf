package io.portcullis.security.injection;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Decoding before detection: what a backend or browser would finally see, in a bounded number of rounds. */
class NormalizerTest {

    @Test
    void decodesPercentEscapesRepeatedlyButBoundedly() {
        assertThat(Normalizer.normalize("%27%20or%201%3D1", false)).isEqualTo("' or 1=1");
        assertThat(Normalizer.normalize("%2527", false)).isEqualTo("'");
        assertThat(Normalizer.normalize("%252527", false)).isEqualTo("'");
        // three rounds and no more: a fourth layer of encoding stays visible as '%27'
        assertThat(Normalizer.normalize("%25252527", false)).isEqualTo("%27");
    }

    @Test
    void decodesUtf8SequencesAndIisStyleEscapes() {
        assertThat(Normalizer.normalize("caf%C3%A9", false)).isEqualTo("café");
        assertThat(Normalizer.normalize("%u0027%u003C", false)).isEqualTo("'<");
    }

    @Test
    void keepsMalformedEscapesAsTheyAre() {
        assertThat(Normalizer.normalize("100% cotton", false)).isEqualTo("100% cotton");
        assertThat(Normalizer.normalize("50%off %zz %4", false)).isEqualTo("50%off %zz %4");
        assertThat(Normalizer.normalize("%", false)).isEqualTo("%");
    }

    @Test
    void decodesPlusAsSpaceOnlyForFormsAndOnlyInTheFirstRound() {
        assertThat(Normalizer.normalize("a+b", true)).isEqualTo("a b");
        assertThat(Normalizer.normalize("a+b", false)).isEqualTo("a+b");
        assertThat(Normalizer.normalize("c%2B%2B", true)).isEqualTo("c++");
    }

    @Test
    void decodesNamedAndNumericCharacterReferences() {
        assertThat(Normalizer.normalize("&lt;b&gt; &amp; &quot;x&quot; &#39;", false)).isEqualTo("<b> & \"x\" '");
        assertThat(Normalizer.normalize("&#106;avascript&colon;alert&lpar;1&rpar;", false))
                .isEqualTo("javascript:alert(1)");
        assertThat(Normalizer.normalize("&#x6A;&#X61;&#0000118&#x61", false)).isEqualTo("java");
        assertThat(Normalizer.normalize("java&Tab;script&NewLine;", false)).isEqualTo("java\tscript\n");
    }

    @Test
    void leavesUnknownOrUnterminatedReferencesAlone() {
        assertThat(Normalizer.normalize("AT&T R&D &foo; &#; &#x;", false)).isEqualTo("at&t r&d &foo; &#; &#x;");
        assertThat(Normalizer.normalize("&copy 2024 &eacute;", false)).isEqualTo("&copy 2024 &eacute;");
        // the legacy names decode without ';' only at a boundary, as browsers do
        assertThat(Normalizer.normalize("&lt x &ltscript", false)).isEqualTo("< x &ltscript");
    }

    @Test
    void decodesJavaScriptAndJsonBackslashEscapes() {
        assertThat(Normalizer.normalize("\\u003cscript\\u003e \\x3c/script\\x3e <\\/b>", false))
                .isEqualTo("<script> </script> </b>");
        assertThat(Normalizer.normalize("\\u{1F600} \\ud83d\\ude00", false)).isEqualTo("\uD83D\uDE00 \uD83D\uDE00");
        assertThat(Normalizer.normalize("admin\\\" OR \\'1\\'", false)).isEqualTo("admin\" or '1'");
        // only those escapes: a path's backslashes stay, and so does an escape with too few hex digits
        assertThat(Normalizer.normalize("C:\\Users\\new\\xavier \\x4 \\u12 \\u{110000}", false))
                .isEqualTo("c:\\users\\new\\xavier \\x4 \\u12 \\u{110000}");
    }

    @Test
    void tellsWhenAValueLooksFormEncoded() {
        assertThat(Normalizer.mayBeFormEncoded("+%3Cimg+src%3Dx%3E")).isTrue();
        assertThat(Normalizer.mayBeFormEncoded("a+b")).isFalse(); // no escape: a plus is a plus
        assertThat(Normalizer.mayBeFormEncoded("%3Cb%3E")).isFalse(); // no plus
        assertThat(Normalizer.mayBeFormEncoded("50% + 10%25")).isFalse(); // white space: not form-encoded
    }

    @Test
    void appliesNfkcSoFullwidthFormsBecomeAscii() {
        assertThat(Normalizer.normalize("＜ＳＣＲＩＰＴ＞", false)).isEqualTo("<script>");
        assertThat(Normalizer.normalize("＇ ｏｒ １＝１", false)).isEqualTo("' or 1=1");
        assertThat(Normalizer.normalize("ﬁnance", false)).isEqualTo("finance");
        // curly quotes are not quotes to SQL: NFKC keeps them
        assertThat(Normalizer.normalize("don’t", false)).isEqualTo("don’t");
    }

    @Test
    void removesNulCharactersAndLowersCase() {
        assertThat(Normalizer.normalize("<scr%00ipt>", false)).isEqualTo("<script>");
        assertThat(Normalizer.normalize("UNION\0 SELECT", false)).isEqualTo("union select");
    }

    @Test
    void tellsWhenAValueNeedsNoWork() {
        assertThat(Normalizer.needsWork("running shoes size 10", true)).isFalse();
        assertThat(Normalizer.needsWork("O'Brien <b>", false)).isFalse();
        assertThat(Normalizer.needsWork("a+b", false)).isFalse();
        assertThat(Normalizer.needsWork("a+b", true)).isTrue();
        assertThat(Normalizer.needsWork("100%", false)).isTrue();
        assertThat(Normalizer.needsWork("a&b", false)).isTrue();
        assertThat(Normalizer.needsWork("café", false)).isTrue();
        assertThat(Normalizer.needsWork("a\0b", false)).isTrue();
        assertThat(Normalizer.needsWork("\\u003c", false)).isTrue();
    }
}
