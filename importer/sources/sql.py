"""STAND-IN for the SQL helper's module (replaced at merge): a query's rows to a UTF-8 CSV, through SQLAlchemy."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from importer.errors import InputError
from importer.sources.spec import redact_db_url


def write_query_csv(db_url: str, query: str, out: Path) -> int:
    import sqlalchemy

    shown = redact_db_url(db_url)
    try:
        engine = sqlalchemy.create_engine(db_url)
        with engine.connect() as connection, out.open("w", encoding="utf-8", newline="") as fh:
            result = connection.execution_options(stream_results=True).exec_driver_sql(query)
            writer = csv.writer(fh)
            writer.writerow(list(result.keys()))
            count = 0
            for row in result:
                writer.writerow([_text(v) for v in row])
                count += 1
        engine.dispose()
    except sqlalchemy.exc.SQLAlchemyError as exc:
        raise InputError(f"{shown}: the query failed ({type(exc).__name__})") from None
    return count


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)
