-- reports: one row per successfully extracted document (grain: report_id = sha256 of the bytes).
-- Several reports may exist for one agency and year (re-publications, duplicates); agency_year picks one.
-- agency_id is the registry's resolution of the printed name in that year (agency_resolution, renames
-- included); null when the report has no agency or no year. Every other table places reports through
-- this column, so the resolution join is written once.
with

documents as (
    select * from lake_documents
),

resolution as (
    select * from agency_resolution
),

extracted as (
    select
        documents.sha256 as report_id,
        documents.agency,
        documents.year,
        resolution.agency_id,
        resolution.agency_name,
        resolution.level,
        resolution.province,
        documents.format,
        documents.title,
        documents.file_name,
        documents.file_type,
        documents.n_values,
        documents.n_findings,
        documents.extractor_version,
        documents.processed_at
    from documents
    left join resolution
        on resolution.agency = documents.agency
        and resolution.year = documents.year
    where documents.status = 'ok'
)

select * from extracted
order by agency, year, report_id
