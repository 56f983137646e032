"""Runs `custseg sql` statements in DuckDB and Spark SQL and compares every
customer's segment and label with `custseg score`; parses the statements
of the engines that cannot run here with sqlglot in their own dialect.

Usage: verify.py WORK CASE...   (a CASE is a folder verify.sh prepared:
scored.csv, table.csv, table.txt and one <dialect>.sql per dialect)
"""

import csv
import os
import sys
import time

# One entry per check (an engine on a case, a dialect on a case).
RESULTS = []

# custseg dialect -> sqlglot dialect, for the engines that cannot run here.
PARSED = {
    "oracle": "oracle",
    "sqlserver": "tsql",
    "teradata": "teradata",
    "bigquery": "bigquery",
    "snowflake": "snowflake",
    "trino": "trino",
    "hive": "hive",
    "mysql": "mysql",
}


def by_id(rows):
    """Per customer id, the sorted (segment, label) of its rows (an id may
    repeat in a customer table: every row is scored)."""
    out = {}
    for r in rows:
        out.setdefault(str(r[0]), []).append((int(r[1]), r[2]))
    return {k: sorted(v) for k, v in out.items()}


def expected(case):
    with open(os.path.join(case, "scored.csv"), encoding="utf-8") as f:
        return by_id(list(csv.reader(f))[1:])


def statement(case, dialect):
    with open(os.path.join(case, dialect + ".sql"), encoding="utf-8") as f:
        return f.read()


def table_name(case):
    with open(os.path.join(case, "table.txt"), encoding="utf-8") as f:
        return f.read().strip()


def compare(engine, case, rows):
    want = expected(case)
    got = by_id(rows)
    total = sum(len(v) for v in want.values())
    agree = sum(len(v) for k, v in want.items() if got.get(k) == v)
    name = os.path.basename(case)
    print(f"  {engine:<7} {name:<30} {agree} of {total} customers agree "
          f"with custseg score ({len(rows)} rows)")
    RESULTS.append(agree == total == len(rows))
    return RESULTS[-1]


def duckdb_cases(cases):
    import duckdb
    print(f"DuckDB {duckdb.__version__}")
    ok = True
    for case in cases:
        con = duckdb.connect()
        con.execute(
            f'CREATE TABLE "{table_name(case)}" AS SELECT * FROM '
            "read_csv(?, header = true, all_varchar = true)",
            [os.path.join(case, "table.csv")])
        rows = con.execute(statement(case, "duckdb")).fetchall()
        ok &= compare("duckdb", case, rows)
        con.close()
    return ok


def spark_cases(cases):
    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master("local[2]").appName("custseg-verify")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.shuffle.partitions", "4")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    print(f"Spark SQL {spark.version} (pyspark, Java "
          f"{spark.sparkContext._jvm.java.lang.System.getProperty('java.version')})")
    ok = True
    for case in cases:
        # Every column as text: the statement casts numbers and dates.
        df = spark.read.csv(os.path.join(case, "table.csv"), header=True,
                            encoding="UTF-8")
        df.createOrReplaceTempView(table_name(case))
        sql = statement(case, "spark").strip().rstrip(";")
        rows = [tuple(r) for r in spark.sql(sql).collect()]
        ok &= compare("spark", case, rows)
    spark.stop()
    return ok


def sqlglot_cases(cases):
    import sqlglot
    from sqlglot import exp
    print(f"sqlglot {sqlglot.__version__}: the statements parsed in their own dialect")
    ok = True
    for dialect, name in PARSED.items():
        parsed = 0
        for case in cases:
            sql = statement(case, dialect)
            try:
                trees = [t for t in sqlglot.parse(sql, read=name) if t is not None]
            except sqlglot.errors.SqlglotError as e:
                print(f"  {dialect}: {os.path.basename(case)}: {str(e)[:300]}")
                ok = False
                RESULTS.append(False)
                continue
            # A statement sqlglot cannot read may come back as a bare Command.
            if len(trees) != 1 or not isinstance(trees[0], exp.Select):
                kinds = [type(t).__name__ for t in trees]
                print(f"  {dialect}: {os.path.basename(case)}: not one SELECT ({kinds})")
                ok = False
                RESULTS.append(False)
                continue
            parsed += 1
            RESULTS.append(True)
        print(f"  {dialect:<9} (sqlglot '{name}'): {parsed} of {len(cases)} statements parse")
    return ok


def main():
    cases = sys.argv[2:]
    ok = True
    for step in (duckdb_cases, spark_cases, sqlglot_cases):
        if step is spark_cases and os.environ.get("SKIP_SPARK"):
            print(f"Spark SQL: skipped ({os.environ['SKIP_SPARK']})")
            continue
        started = time.time()
        ok &= step(cases)
        print(f"  ({time.time() - started:.1f} s)")
    passed = sum(RESULTS)
    print(f"verify: {passed} passed, {len(RESULTS) - passed} failed")
    sys.exit(0 if ok and passed == len(RESULTS) else 1)


if __name__ == "__main__":
    main()
