-- findings: one row per finding raised about a report during extraction (grain: sha256, check, metric,
-- applicant); values_json holds the numbers the check compared.
with

findings_extracted as (
    select * from lake_findings
)

select * from findings_extracted
order by sha256, "check", metric, applicant
