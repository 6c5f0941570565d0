"""``specclient demo civis``: who am I, find a table, run a container script and a SQL script."""

from __future__ import annotations

from collections.abc import Callable

from .._progress import demo_progress

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["demo"]


def demo(client: Any, echo: Callable[[str], None]) -> None:
    """Civis end to end: who am I, find a table, run a container script and a SQL script."""
    echo(f"signed in as {client.username}")
    database_id = client.get_database_id("redshift-general")
    credential_id = client.default_database_credential_id
    echo(f"database redshift-general is {database_id}; default credential {credential_id}")
    table_id = client.get_table_id("public.customers", "redshift-general")
    table = client.tables.get(table_id)
    echo(f"table public.customers is {table_id}: {table.row_count:,} rows")
    tables = client.tables.list(database_id=database_id, iterator=True)
    echo("tables: " + ", ".join(f"{t.schema}.{t.name}" for t in tables))
    script = client.scripts.post_containers(
        required_resources={"cpu": 256, "memory": 512},
        docker_image_name="civisanalytics/datascience-python",
        name="demo container",
        docker_command="python -c 'print(1)'; sleep 5",
    )
    future = client.scripts.run_containers(script.id, progress=demo_progress(echo))
    final = future.result(timeout=600)
    echo(
        f"container script {script.id} run {future.run_id}: {final.state} "
        f"after {future.polls} polls"
    )
    sql = client.scripts.post_sql(
        name="demo query",
        remote_host_id=database_id,
        credential_id=credential_id,
        sql="SELECT count(*) FROM public.customers",
    )
    future = client.scripts.run_sql(sql.id, progress=demo_progress(echo))
    final = future.result(timeout=600)
    echo(
        f"sql script {sql.id} run {future.run_id}: {final.state}; outputs: "
        + ", ".join(o.output_name for o in final.output)
    )
    long = client.scripts.post_containers(
        required_resources={"cpu": 256, "memory": 512},
        docker_image_name="busybox",
        name="demo long job",
        docker_command="sleep 3600",
    )
    future = client.jobs.run(long.id)
    echo(
        f"job {long.id} run {future.run_id} started; cancel() -> {future.cancel()}; "
        f"state now {client.jobs.get_runs(long.id, future.run_id).state}"
    )
