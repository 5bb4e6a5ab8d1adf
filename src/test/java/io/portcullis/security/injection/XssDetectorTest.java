package io.portcullis.security.injection;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The HTML reading of a value: tags, attributes, URLs and breakouts, and the markup and prose that is fine. */
class XssDetectorTest {

    private static String detect(String value) {
        return XssDetector.detect(Normalizer.normalize(value, false));
    }

    @Test
    void namesTheRule() {
        assertThat(detect("<script>alert(1)</script>")).isEqualTo("xss.tag/script");
        assertThat(detect("</script><b>")).isEqualTo("xss.tag/script");
        assertThat(detect("<img src=x onerror=alert(1)>")).isEqualTo("xss.event-handler");
        assertThat(detect("<a href=\"javascript:alert(1)\">x</a>")).isEqualTo("xss.url/javascript");
        assertThat(detect("<iframe srcdoc=\"x\">")).isEqualTo("xss.srcdoc");
        assertThat(detect("<iframe src=//evil.example>")).isEqualTo("xss.tag/iframe");
        assertThat(detect("<div style=\"width: expression(alert(1))\">")).isEqualTo("xss.css");
        assertThat(detect("';alert(1)//")).isEqualTo("xss.script-breakout");
        assertThat(detect("<svg><set attributeName=onmouseover to=alert(1)>")).isEqualTo("xss.svg-animation");
        assertThat(detect("{{constructor.constructor('alert(1)')()}}")).isEqualTo("xss.template");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "<ScRiPt>alert(1)</sCrIpT>", "<scr<script>ipt>", "<x:script>", "<svg/onload=alert(1)>",
            "<img/src=\"x\"/onerror=alert(1)>", "<img src=x onerror=alert(1)//", "<body onload=alert(1)>",
            "\" onmouseover=\"alert(1)", "' onfocus='alert(1)", "x onerror=alert(1)", "\"autofocus/onfocus=\"alert(1)",
            "javascript:alert(1)", "  JavaScript:alert(1)", "javascript://%0aalert(1)",
            "<a href=\"java&#x09;script:alert(1)\">", "<a href=javas&Tab;cript:alert(1)>",
            "<a href=\"&#106;avascript&colon;alert(1)\">", "[x](javascript:alert(1))",
            "data:text/html;base64,PHNjcmlwdD4=", "vbscript:msgbox(1)", "<object data=x.swf>",
            "<meta http-equiv=refresh content=\"0;url=//evil\">", "<link rel=stylesheet href=//evil/x.css>",
            "<base href=//evil/>", "<form action=//evil>", "<!--<img src=\"--><img src=x onerror=alert(1)//\">",
            "<![CDATA[<script>alert(1)</script>]]>", "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            "%253Cscript%253E", "&lt;script&gt;", "＜ｓｃｒｉｐｔ＞", "<scr%00ipt>", "'-alert(1)-'",
            "\";location='//evil'//", "<div ng-click=$event.view.alert(1)>", "x:expression(alert(1))",
            "<img/src=x/onerror=alert(1)>", "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
            "\\x3cimg src=x onerror=alert(1)\\x3e", "<\\/script><script>alert(1)<\\/script>"})
    void detects(String payload) {
        assertThat(detect(payload)).as(payload).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "a < b and c > d", "a<b and c>d", "List<String>", "Map<String, List<Integer>>", "<T extends Comparable<T>>",
            "#include <math.h>", "<3 kittens", "<b>bold</b>", "<a href=\"https://example.com\">Example</a>",
            "<img src=\"/logo.png\" alt=\"logo\">", "<div class=\"container\">", "<iframe> responsively?",
            "The <meta name=\"viewport\"> tag", "<link rel=\"icon\">", "<svg> icons vs icon fonts", "<form> with post",
            "JavaScript: The Good Parts (2008)", "javascript: understanding the weird parts", "data: lots of it",
            "data:image/png;base64,iVBORw0KGgo=", "regular expression (regex) cheat sheet", "online=true",
            "onClick={() => setCount(count + 1)}", "window.onload = init;", "btn.onclick = () => save();",
            "element.addEventListener('click', handler)", "he said 'no'; then left", "{{ user.name }}",
            "ng-click=\"save()\"", "Time: 10:00 - 12:00", "https://example.com/search?q=a:b&x=(1)",
            "&lt;b&gt;bold&lt;/b&gt;", "mailto:someone@example.com?subject=Hi",
            "<a href=https://example.com/onboarding=1>", "<a href=/a/online=yes(1)>"})
    void passes(String benign) {
        assertThat(detect(benign)).as(benign).isNull();
    }

    @Test
    void valuesWithoutMarkupCharactersAreCleanWithoutAScan() {
        assertThat(XssDetector.detect("running shoes size 10")).isNull();
        assertThat(XssDetector.detect("")).isNull();
    }
}
