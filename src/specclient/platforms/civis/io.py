"""``civis.io`` in specclient: the same names and parameters, on a specclient Civis client.

Each helper is one flow (:mod:`specclient.platforms._flows`) driven by the client it is given:
with a :class:`~specclient.platforms.civis.CivisClient` it runs and returns the result, with an
:class:`~specclient.platforms.civis.AsyncCivisClient` it returns a coroutine to await (a helper
that returns a :class:`CivisFuture` gives an :class:`AsyncCivisFuture` from that coroutine).

- Files (:mod:`.io_files`): :func:`file_to_civis`, :func:`civis_to_file`,
  :func:`file_to_dataframe`, :func:`dataframe_to_file`, :func:`file_to_json`,
  :func:`json_to_file`, :func:`file_id_from_run_output`, streamed through the presigned URLs
  Civis hands out (the API key never goes to the storage host).
- SQL (:mod:`.io_sql`): :func:`read_civis_sql`, :func:`read_civis` (``return_as`` ``"list"``,
  ``"pandas"``, ``"polars"``, ``"arrow"``, or ``"batches"``: record batches read as they
  download), :func:`civis_to_csv`, :func:`civis_to_multifile_csv`,
  :func:`export_to_civis_file`, :func:`query_civis`. DataFrames are typed from the table's
  own column types.
- Tables (:mod:`.io_tables`): :func:`dataframe_to_civis`, :func:`csv_to_civis`,
  :func:`civis_file_to_table`, :func:`transfer_table`.

Where these differ from civis-python on purpose: docs/platforms/civis-io.md.
"""

from __future__ import annotations

from specclient.platforms.civis.io_common import (
    CHUNK_SIZE,
    EmptyResultError,
    split_schema_tablename,
)
from specclient.platforms.civis.io_files import (
    StorageError,
    civis_to_file,
    dataframe_to_file,
    file_id_from_run_output,
    file_to_civis,
    file_to_dataframe,
    file_to_json,
    json_to_file,
)
from specclient.platforms.civis.io_sql import (
    civis_to_csv,
    civis_to_multifile_csv,
    export_to_civis_file,
    query_civis,
    read_civis,
    read_civis_sql,
)
from specclient.platforms.civis.io_tables import (
    CivisImportError,
    civis_file_to_table,
    csv_to_civis,
    dataframe_to_civis,
    transfer_table,
)

__all__ = [
    "CHUNK_SIZE",
    "CivisImportError",
    "EmptyResultError",
    "StorageError",
    "civis_file_to_table",
    "civis_to_csv",
    "civis_to_file",
    "civis_to_multifile_csv",
    "csv_to_civis",
    "dataframe_to_civis",
    "dataframe_to_file",
    "export_to_civis_file",
    "file_id_from_run_output",
    "file_to_civis",
    "file_to_dataframe",
    "file_to_json",
    "json_to_file",
    "query_civis",
    "read_civis",
    "read_civis_sql",
    "split_schema_tablename",
    "transfer_table",
]
