"""Inbox folder → content-addressed raw store + manifest."""

import dagster as dg

from assets.resources import StorageResource
from pipelines.sources.folder import load_folder


@dg.asset(
    key=["raw", "documents"],
    group_name="raw",
    kinds={"parquet"},
    # One writer for the raw store's manifest: the inbox loader and the crawler share this pool.
    pool="raw_store",
    description="Every report file ever loaded, by sha256 (data/raw), with one manifest row per load.",
)
def raw_documents(context: dg.AssetExecutionContext, storage: StorageResource) -> dg.MaterializeResult:
    storage.inbox_path.mkdir(parents=True, exist_ok=True)
    result = load_folder(storage.paths, storage.inbox_path, source="inbox")
    context.log.info(
        f"inbox {storage.inbox_path}: {result.files_seen} files, {result.stored_new} new, "
        f"{result.already_known} already stored, {len(result.skipped)} skipped"
    )
    for skipped in result.skipped:
        context.log.warning(f"skipped {skipped.path}: {skipped.reason}")
    return dg.MaterializeResult(
        metadata={
            "inbox": str(storage.inbox_path),
            "files_seen": result.files_seen,
            "stored_new": result.stored_new,
            "already_known": result.already_known,
            "manifest_rows_added": result.manifest_rows_added,
            "skipped": len(result.skipped),
            "skipped_reasons": dg.MetadataValue.json(
                [{"path": s.path, "reason": s.reason} for s in result.skipped]
            ),
        }
    )
