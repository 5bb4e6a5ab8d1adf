package io.portcullis.security.injection;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The SQL grammar's decisions on payloads and on benign text that looks a little like them. */
class SqlInjectionDetectorTest {

    private static String detect(String value) {
        return SqlInjectionDetector.detect(Normalizer.normalize(value, false));
    }

    @Test
    void namesTheEvidenceTheContextAndTheFingerprint() {
        assertThat(detect("' or 1=1--")).isEqualTo("sqli.tautology/'/s&n=nc");
        assertThat(detect("1 union select null,null")).isEqualTo("sqli.union/bare/nUEn,n");
        assertThat(detect("admin\"--")).isEqualTo("sqli.comment-breakout/\"/sc");
        assertThat(detect("x' and name like '%")).isEqualTo("sqli.breakout/'/s&b=s");
        assertThat(detect("1 AND username=0x61646d696e")).isEqualTo("sqli.hex-string/bare/n&b=n");
        assertThat(detect("O'Hara' UNION SELECT password FROM users WHERE 'a'='a"))
                .isEqualTo("sqli.union/name'/sUEbkbks=s");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "x'='x", "' or ''='", "'or'1'='1", "admin'#", "admin' -- -", "') or ('a'='a", "1) or (1=1",
            "-1 union all select 1,2,3", "1+union+select+1,2", "1 /*!50000union*/ /*!50000select*/ 1,2",
            "UN/**/ION SEL/**/ECT 1", "1; drop table users", "'; exec master..xp_cmdshell 'dir'--",
            "1 waitfor delay '0:0:5'", "';waitfor delay '0:0:5'--", "1 and sleep(5)", "'||pg_sleep(5)--",
            "sleep(5)#", "(select(0)from(select(sleep(5)))v)", "1 order by 3--", "' group by 1 having 1=1--",
            "1 and extractvalue(1,concat(0x7e,version()))", "' or username=char(97,100,109,105,110)--",
            "1 and ascii(substring(user(),1,1))>64", "1 and system_user like 'sa%'", "1 or 1#",
            "' into outfile '/tmp/x'--", "'; if (1=1) waitfor delay '0:0:5'--", "select pg_sleep(5)",
            "x' AND email IS NULL; --", "1'and'1'='1", "%27%20OR%201%3D1--", "＇ ｏｒ ＇１＇＝＇１",
            // a subquery as one item of a list, or in ORDER BY position
            "1,(select sleep(5))", ",(select * from (select(sleep(10)))a)", "Jane Doe', (SELECT password FROM users)--",
            "id DESC,(SELECT CASE WHEN (1=1) THEN 1 ELSE 1/0 END)", "(SELECT CASE WHEN (1=1) THEN name ELSE id END)",
            // a stacked statement after an ORDER BY item, SQLite's ATTACH, MSSQL's IF guarding a statement
            "name ASC; DROP TABLE orders", "'; ATTACH DATABASE '/var/www/x.php' AS x;--",
            "' IF (1=1) WAITFOR DELAY '0:0:5'--", "1 if (select count(*) from users)>0 waitfor delay '0:0:5'",
            // escaped quotes a JSON parser or stripslashes turns back into quotes
            "admin\\\" OR \\\"1\\\"=\\\"1", "\\x27 or 1=1--",
            // past a name's apostrophe
            "D'Angelo' OR 'x'='x", "O'Hara' AND 1=1--"})
    void detects(String payload) {
        assertThat(detect(payload)).as(payload).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "O'Brien", "D'Angelo and O'Brien", "rock 'n' roll", "parents' and children's rights", "Jones' #1 fan",
            "it's fine -- really", "'90s or '80s music", "27\" monitor", "5\" and 7\" tablets", "6' or 7' ladder",
            "\"data science\" OR \"data analytics\"", "Use \"and\" or \"or\" to combine search terms.",
            "The '+' button adds a row; the '-' button removes it.", "a < b and c > d", "1 - 2", "1 or 2",
            "true or false", "2 or 3 days", "how do I select from two tables", "union select committee",
            "SELECT name FROM users WHERE id = 42", "BEGIN; UPDATE t SET x = 1; COMMIT;", "having count(*) > 1",
            "Order by 5pm for next day delivery", "postgres create index concurrently", "sleep(5) vs time.sleep(5)",
            "x = len(arr) + 1", "if x == 1 or y == 2:", "Thanks; delete my old address please",
            "db.query('SELECT name FROM pets WHERE owner = $1', [owner])", "information_schema docs",
            "{\"q\": \"rock 'n' roll\", \"limit\": 10}", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "C++ or Java",
            "red, green, blue", "1, 2 or 3", "Smith, John -- manager", "price desc, name asc", "price desc; thanks",
            "skip if empty select all", "all if (needed) select all", "Select Case x", "attach 'cv.pdf' please",
            "It's 'a' or 'b'", "Don't say 'never'", "Rock'n'roll is 'fine'", "I'm done'; ", "He's 6' or 7' tall",
            "flags=0x0001 and mask=0xffff", "fg=0x404040 and bg=0x202020", "C:\\Users\\xavier\\new",
            "{\\\"a\\\":1,\\\"b\\\":\\\"x\\\"}", "5 < 6 && 7 > 3", "x >= 3 && y <= 4"})
    void passes(String benign) {
        assertThat(detect(benign)).as(benign).isNull();
    }

    @Test
    void aQuotedContextNeedsTheValueToCloseItsString() {
        assertThat(detect("no quote or 1=1 here")).isNull();
        assertThat(detect("it''s or 1=1")).isNull(); // a doubled quote does not close the string
    }

    @Test
    void aChainOfOrderedNumbersIsArithmeticButAnEqualityOrACommentIsNot() {
        assertThat(detect("5 &lt; 6 &amp;&amp; 7 &gt; 3")).isNull();
        assertThat(detect("1=1 && 2=2")).isNotNull();
        assertThat(detect("5 < 6 && 7 > 3 --")).isNotNull();
        assertThat(detect("5 < 6 and 7 > 3")).isNotNull();
    }

    @Test
    void anOpenStringOnlyCompletesTheQueryWhenItIsShort() {
        assertThat(detect("x' or name='a")).isNotNull();
        assertThat(detect("x' or name=' and some words after it")).isNull();
    }
}
