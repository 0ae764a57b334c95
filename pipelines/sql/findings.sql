-- findings: one row per finding raised about a report during extraction (grain: sha256, check_id, metric,
-- applicant); values_json holds the numbers the check compared. The lake column "check" is renamed
-- check_id here because CHECK is a reserved word analysts would otherwise have to quote.
with

findings_extracted as (
    select * rename ("check" as check_id) from lake_findings
)

select
    sha256 as report_id,
    sha256,
    year,
    agency,
    check_id,
    severity,
    metric,
    applicant,
    message,
    values_json,
    extractor_version
from findings_extracted
order by sha256, check_id, metric, applicant
