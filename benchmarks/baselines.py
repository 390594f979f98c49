"""What staffq is measured against, each a script run as a process of its own that times its own work and prints it
as JSON on its last line: the floors (the least any loader must do with the same rows) and the peer (the obvious
pandas + pandera way of doing what staffq does)."""

from __future__ import annotations

import duckdb

# The floor for one file: the same rows as one plain CSV, read by DuckDB into a table, all as text.
CSV_FLOOR = """
import duckdb, sys, time, json
started = time.perf_counter()
connection = duckdb.connect()
connection.execute("create table staff as select * from read_csv(?, all_varchar = true, header = true)", [sys.argv[1]])
rows = connection.execute("select count(*) from staff").fetchall()[0][0]
print(json.dumps({"seconds": time.perf_counter() - started, "rows": rows}))
"""

# The fair floor for many files: the clerks' files themselves (workbooks and CSV, title blocks and two-row headers
# as generated) read by fastexcel/polars as text, in one process, into one DuckDB table. A CSV of the same rows is
# not fair to a loader of workbooks: opening hundreds of zipped XML files is most of a raw load's work.
# argv: the inbox folder, the column names as JSON.
FAIR_FLOOR = """
import duckdb, json, sys, time
from pathlib import Path
import polars as pl
started = time.perf_counter()
inbox, names = Path(sys.argv[1]), json.loads(sys.argv[2])
frames = []
for path in sorted(inbox.rglob("*")):
    if path.suffix == ".xlsx":
        # Title block (3 rows and a blank one) and the two header rows skipped; the totals row has no STT.
        frame = pl.read_excel(
            path, engine="calamine", has_header=False, drop_empty_cols=False,
            read_options={"skip_rows": 6, "dtypes": "string"},
        )
        frame = frame.rename(dict(zip(frame.columns, names))).filter(pl.col("STT").is_not_null())
    elif path.suffix == ".csv":
        frame = pl.read_csv(path, skip_rows=3, infer_schema=False)
    else:
        continue
    frames.append(frame)
every_row = pl.concat(frames, how="vertical")
connection = duckdb.connect()
connection.execute("create table staff as select * from every_row")
rows = connection.execute("select count(*) from staff").fetchall()[0][0]
note = f"{len(frames)} files"
print(json.dumps({"seconds": time.perf_counter() - started, "rows": rows, "note": note}))
"""

# The peer: the same main checks as staffq's (name, birth date and age, gender, ID, the vocabularies, the salary
# step), written the pandas + pandera way, bad rows dropped, the rest loaded into DuckDB.
PEER = """
import duckdb, sys, time, json
import pandas as pd
import pandera.pandas as pa
started = time.perf_counter()
frame = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
EDUCATION = ["Tiến sĩ", "Thạc sĩ", "Đại học", "Cao đẳng", "Trung cấp", ""]
birth = pd.to_datetime(frame["Ngày sinh"], format="%d/%m/%Y", errors="coerce")
age = (pd.Timestamp("2024-12-31") - birth).dt.days // 365
frame["_age"] = age
schema = pa.DataFrameSchema(
    {
        "Họ và tên": pa.Column(str, pa.Check.str_matches(r"^[^\\d]+$")),
        "Ngày sinh": pa.Column(str, pa.Check(lambda s: birth.notna())),
        "_age": pa.Column(float, pa.Check.in_range(18, 70), nullable=True),
        "Giới tính": pa.Column(str, pa.Check.isin(["Nam", "Nữ"])),
        "Số CCCD": pa.Column(str, pa.Check.str_matches(r"^\\d{12}$")),
        "Trình độ chuyên môn": pa.Column(str, pa.Check.isin(EDUCATION)),
        "Lý luận chính trị": pa.Column(str, pa.Check.isin(["Cao cấp", "Trung cấp", "Sơ cấp", "Cử nhân", ""])),
        "Đối tượng": pa.Column(str, pa.Check.isin(["Công chức", "Viên chức", "Hợp đồng lao động", "Cán bộ"])),
        "Bậc lương": pa.Column(str, pa.Check.str_matches(r"^\\d{1,2}$")),
    }
)
try:
    schema.validate(frame, lazy=True)
    bad = set()
except pa.errors.SchemaErrors as errors:
    bad = set(errors.failure_cases["index"].dropna().astype(int))
valid = frame.drop(index=list(bad)).drop(columns=["_age"])
connection = duckdb.connect()
connection.register("valid", valid)
connection.execute("create table staff as select * from valid")
import pandera
versions = f"own environment: pandas {pd.__version__}, pandera {pandera.__version__}"
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "rows": len(valid), "rejected": len(bad), "note": versions}))
"""
# The peer runs in an environment of its own (uv caches it): with pandas in staffq's, pandera would import pandas in
# every staffq command too, and staffq would be measured a second slower than its users run it.
PEER_ENVIRONMENT = ["uv", "run", "--no-project", "--quiet", "--with", "pandas>=3", "--with", "pandera[pandas]"]
PEER_ENVIRONMENT += ["--with", f"duckdb=={duckdb.__version__}", "python"]
