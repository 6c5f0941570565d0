"""One table pipeline for every table-shaped answer: pages decode into typed Arrow record
batches (:mod:`.decode`), typed from the spec or the platform's metadata (:mod:`.columns`),
then go to a sink (:mod:`.sinks`: one ``pyarrow.Table``, a Parquet or CSV file written as
pages arrive) and, for the default output, to pandas (:mod:`.frames`).

pyarrow is imported only when a table is decoded.
"""

from __future__ import annotations

from .columns import KINDS, Column

__all__ = ["KINDS", "Column"]
