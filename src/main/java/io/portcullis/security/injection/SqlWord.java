package io.portcullis.security.injection;

import java.util.Locale;

/**
 * The SQL words {@link SqlTokenizer} recognises, each with the role the grammar in {@link SqlContextParser} gives it.
 * Any other word is a column or table name. Functions are split in two: those an attack calls for effect (a delay,
 * an error that leaks data, a file or a shell) and ordinary SQL functions, which only count as evidence after an
 * operator has already put the value into SQL. The list is the shared vocabulary of MySQL, PostgreSQL, MSSQL, Oracle
 * and SQLite that injection needs, not a full keyword list: unknown words simply stay names.
 */
enum SqlWord {
    UNION(Role.UNION),
    SELECT(Role.STATEMENT), INSERT(Role.STATEMENT, true), UPDATE(Role.STATEMENT), DELETE(Role.STATEMENT),
    DROP(Role.STATEMENT), CREATE(Role.STATEMENT), ALTER(Role.STATEMENT), TRUNCATE(Role.STATEMENT, true),
    EXEC(Role.STATEMENT), EXECUTE(Role.STATEMENT), DECLARE(Role.STATEMENT), SHUTDOWN(Role.STATEMENT),
    REPLACE(Role.STATEMENT, true), SET(Role.STATEMENT), WAITFOR(Role.STATEMENT), GRANT(Role.STATEMENT),
    COPY(Role.STATEMENT), BEGIN(Role.STATEMENT), COMMIT(Role.STATEMENT), ROLLBACK(Role.STATEMENT),
    ATTACH(Role.STATEMENT),
    FROM(Role.CLAUSE), WHERE(Role.CLAUSE), ORDER(Role.CLAUSE), GROUP(Role.CLAUSE), BY(Role.CLAUSE),
    HAVING(Role.CLAUSE), LIMIT(Role.CLAUSE), OFFSET(Role.CLAUSE), INTO(Role.CLAUSE), OUTFILE(Role.CLAUSE),
    DUMPFILE(Role.CLAUSE), PROCEDURE(Role.CLAUSE), VALUES(Role.CLAUSE, true), AS(Role.CLAUSE), TOP(Role.CLAUSE),
    ALL(Role.CLAUSE), DISTINCT(Role.CLAUSE), DELAY(Role.CLAUSE), TIME(Role.CLAUSE), ASC(Role.CLAUSE),
    DESC(Role.CLAUSE), WITH(Role.CLAUSE), TABLE(Role.CLAUSE), DATABASE(Role.CLAUSE, true), VIEW(Role.CLAUSE),
    INDEX(Role.CLAUSE), LOGIN(Role.CLAUSE), TRIGGER(Role.CLAUSE), COLUMN(Role.CLAUSE), TO(Role.CLAUSE),
    LIKE(Role.COMPARE, true), RLIKE(Role.COMPARE), REGEXP(Role.COMPARE), ILIKE(Role.COMPARE), GLOB(Role.COMPARE, true),
    IN(Role.COMPARE), IS(Role.COMPARE), BETWEEN(Role.COMPARE), SOUNDS(Role.COMPARE),
    AND(Role.LOGIC), OR(Role.LOGIC), XOR(Role.LOGIC), NOT(Role.NOT),
    DIV(Role.ARITH), MOD(Role.ARITH, true), COLLATE(Role.ARITH),
    NULL(Role.LITERAL), TRUE(Role.LITERAL), FALSE(Role.LITERAL),
    CASE(Role.CASE), WHEN(Role.CASE), THEN(Role.CASE), ELSE(Role.CASE), END(Role.CASE), EXISTS(Role.EXISTS),
    SLEEP(Role.ATTACK_FUNCTION), BENCHMARK(Role.ATTACK_FUNCTION), PG_SLEEP(Role.ATTACK_FUNCTION),
    DBMS_LOCK_SLEEP("dbms_lock.sleep", Role.ATTACK_FUNCTION),
    DBMS_PIPE("dbms_pipe.receive_message", Role.ATTACK_FUNCTION),
    UTL_INADDR("utl_inaddr.get_host_name", Role.ATTACK_FUNCTION),
    UTL_INADDR_ADDRESS("utl_inaddr.get_host_address", Role.ATTACK_FUNCTION),
    UTL_HTTP("utl_http.request", Role.ATTACK_FUNCTION), CTXSYS("ctxsys.drithsx.sn", Role.ATTACK_FUNCTION),
    DBMS_XMLGEN("dbms_xmlgen.getxml", Role.ATTACK_FUNCTION),
    EXTRACTVALUE(Role.ATTACK_FUNCTION), UPDATEXML(Role.ATTACK_FUNCTION), LOAD_FILE(Role.ATTACK_FUNCTION),
    XP_CMDSHELL(Role.ATTACK_FUNCTION), XP_DIRTREE(Role.ATTACK_FUNCTION), SP_EXECUTESQL(Role.ATTACK_FUNCTION),
    SP_OACREATE(Role.ATTACK_FUNCTION), OPENROWSET(Role.ATTACK_FUNCTION), RANDOMBLOB(Role.ATTACK_FUNCTION),
    ZEROBLOB(Role.ATTACK_FUNCTION), NAME_CONST(Role.ATTACK_FUNCTION), GTID_SUBSET(Role.ATTACK_FUNCTION),
    XMLTYPE(Role.ATTACK_FUNCTION), PG_READ_FILE(Role.ATTACK_FUNCTION), LO_IMPORT(Role.ATTACK_FUNCTION),
    SYS_EVAL(Role.ATTACK_FUNCTION), MAKE_SET(Role.ATTACK_FUNCTION), ELT(Role.ATTACK_FUNCTION),
    GET_LOCK(Role.ATTACK_FUNCTION), SYS_CONTEXT(Role.ATTACK_FUNCTION), INSTANCE_NAME(Role.ATTACK_FUNCTION),
    CHAR(Role.SQL_FUNCTION), CHR(Role.SQL_FUNCTION), NCHAR(Role.SQL_FUNCTION), CONCAT(Role.SQL_FUNCTION),
    CONCAT_WS(Role.SQL_FUNCTION), GROUP_CONCAT(Role.SQL_FUNCTION), STRING_AGG(Role.SQL_FUNCTION),
    ASCII(Role.SQL_FUNCTION), UNICODE(Role.SQL_FUNCTION), ORD(Role.SQL_FUNCTION), SUBSTRING(Role.SQL_FUNCTION),
    SUBSTR(Role.SQL_FUNCTION), MID(Role.SQL_FUNCTION), LEFT(Role.SQL_FUNCTION), RIGHT(Role.SQL_FUNCTION),
    HEX(Role.SQL_FUNCTION), UNHEX(Role.SQL_FUNCTION), CAST(Role.SQL_FUNCTION), CONVERT(Role.SQL_FUNCTION),
    IF(Role.SQL_FUNCTION), IIF(Role.SQL_FUNCTION), IFNULL(Role.SQL_FUNCTION), NULLIF(Role.SQL_FUNCTION),
    COALESCE(Role.SQL_FUNCTION), COUNT(Role.SQL_FUNCTION), LENGTH(Role.SQL_FUNCTION), LEN(Role.SQL_FUNCTION),
    LOWER(Role.SQL_FUNCTION), UPPER(Role.SQL_FUNCTION), MD5(Role.SQL_FUNCTION), SHA1(Role.SQL_FUNCTION),
    RAND(Role.SQL_FUNCTION), FLOOR(Role.SQL_FUNCTION), EXP(Role.SQL_FUNCTION), VERSION(Role.SQL_FUNCTION),
    SCHEMA(Role.SQL_FUNCTION), USER(Role.SQL_FUNCTION), CURRENT_USER(Role.NILADIC_FUNCTION),
    SESSION_USER(Role.NILADIC_FUNCTION), SYSTEM_USER(Role.NILADIC_FUNCTION), DB_NAME(Role.SQL_FUNCTION),
    USER_NAME(Role.SQL_FUNCTION), HOST_NAME(Role.SQL_FUNCTION), NOW(Role.SQL_FUNCTION),
    SYSDATE(Role.SQL_FUNCTION), CURRENT_DATABASE(Role.SQL_FUNCTION), TO_CHAR(Role.SQL_FUNCTION),
    UTL_RAW("utl_raw.cast_to_varchar2", Role.SQL_FUNCTION), DBMS_RANDOM("dbms_random.value", Role.SQL_FUNCTION),
    INFORMATION_SCHEMA(Role.SYSTEM_TABLE), SQLITE_MASTER(Role.SYSTEM_TABLE), SQLITE_SCHEMA(Role.SYSTEM_TABLE),
    SYSOBJECTS(Role.SYSTEM_TABLE), SYSCOLUMNS(Role.SYSTEM_TABLE), SYSDATABASES(Role.SYSTEM_TABLE),
    SYSUSERS(Role.SYSTEM_TABLE), PG_SHADOW(Role.SYSTEM_TABLE), PG_USER(Role.SYSTEM_TABLE),
    PG_DATABASE(Role.SYSTEM_TABLE), PG_CATALOG(Role.SYSTEM_TABLE), ALL_TABLES(Role.SYSTEM_TABLE),
    ALL_USERS(Role.SYSTEM_TABLE), USER_TABLES(Role.SYSTEM_TABLE), DBA_USERS(Role.SYSTEM_TABLE),
    V_VERSION("v$version", Role.SYSTEM_TABLE), MYSQL_USER("mysql.user", Role.SYSTEM_TABLE);

    /** What a word does in the grammar. */
    enum Role {
        UNION, STATEMENT, CLAUSE, COMPARE, LOGIC, NOT, ARITH, LITERAL, CASE, EXISTS,
        ATTACK_FUNCTION, SQL_FUNCTION,
        /** A function that needs no parentheses ({@code system_user}) and whose name is no English word. */
        NILADIC_FUNCTION,
        SYSTEM_TABLE
    }

    private static final int SLOTS = 1024;
    private static final SqlWord[] BY_HASH = new SqlWord[SLOTS];
    private static final SqlWord[] VALUES_BY_ORDINAL = values();
    private static final int LONGEST;

    static {
        int longest = 0;
        for (SqlWord word : VALUES_BY_ORDINAL) {
            int h = word.text.length();
            for (int i = 0; i < word.text.length(); i++) {
                h = 31 * h + word.text.charAt(i);
            }
            int slot = spread(h) & (SLOTS - 1);
            longest = Math.max(longest, word.text.length());
            while (BY_HASH[slot] != null) {
                slot = (slot + 1) & (SLOTS - 1);
            }
            BY_HASH[slot] = word;
        }
        LONGEST = longest;
    }

    final String text;
    final Role role;
    /** Also a function name when directly followed by '(' (MySQL's {@code insert(...)}, {@code like(...)}). */
    final boolean callable;

    SqlWord(Role role) {
        this(null, role, false);
    }

    SqlWord(Role role, boolean callable) {
        this(null, role, callable);
    }

    SqlWord(String text, Role role) {
        this(text, role, false);
    }

    SqlWord(String text, Role role, boolean callable) {
        this.text = text != null ? text : name().toLowerCase(Locale.ROOT);
        this.role = role;
        this.callable = callable;
    }

    boolean isFunction() {
        return role == Role.ATTACK_FUNCTION || role == Role.SQL_FUNCTION || role == Role.NILADIC_FUNCTION;
    }

    static SqlWord byOrdinal(int ordinal) {
        return VALUES_BY_ORDINAL[ordinal];
    }

    /** The word spelled by chars [from, to) of {@code text}, ignoring ASCII case, or null. */
    static SqlWord lookup(CharSequence text, int from, int to) {
        if (to - from > LONGEST || to <= from) {
            return null;
        }
        int h = to - from;
        for (int i = from; i < to; i++) {
            h = 31 * h + lower(text.charAt(i));
        }
        int slot = spread(h) & (SLOTS - 1);
        for (SqlWord word = BY_HASH[slot]; word != null; word = BY_HASH[slot]) {
            if (word.text.length() == to - from && matches(word.text, text, from)) {
                return word;
            }
            slot = (slot + 1) & (SLOTS - 1);
        }
        return null;
    }

    private static boolean matches(String lowerText, CharSequence text, int from) {
        for (int i = 0; i < lowerText.length(); i++) {
            if (lowerText.charAt(i) != lower(text.charAt(from + i))) {
                return false;
            }
        }
        return true;
    }

    private static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c | 0x20) : c;
    }

    private static int spread(int h) {
        return h ^ h >>> 12;
    }

}
