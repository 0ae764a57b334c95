-- errors: one row per document that could not be extracted (grain: sha256), so coverage gaps are visible.
with

documents as (
    select * from lake_documents
),

failed as (
    select
        sha256,
        file_name,
        file_type,
        error as reason,
        extractor_version,
        processed_at
    from documents
    where status = 'error'
)

select * from failed
order by processed_at, sha256
