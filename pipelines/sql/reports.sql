-- reports: one row per successfully extracted document (grain: report_id = sha256 of the bytes).
-- Several reports may exist for one agency and year (re-publications, duplicates); agency_year picks one.
with

documents as (
    select * from lake_documents
),

extracted as (
    select
        sha256 as report_id,
        agency,
        year,
        format,
        title,
        file_name,
        file_type,
        n_values,
        n_findings,
        extractor_version,
        processed_at
    from documents
    where status = 'ok'
)

select * from extracted
order by agency, year, report_id
