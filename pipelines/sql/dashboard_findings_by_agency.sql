-- dashboard_findings_by_agency: how many findings each agency's reports raised, per check. A finding on
-- the report chosen for an agency-year is shown under the agency's canonical name (one series across a
-- rename, as in the charts); any other finding under the name its report prints.
with

named_findings as (
    select
        coalesce(agency_year.agency_name, findings.agency, '(agency unknown)') as agency,
        findings.report_id,
        findings.check_id
    from findings
    left join agency_year using (report_id)
)

select
    agency,
    check_id,
    count(*) as n_findings,
    count(distinct report_id) as n_reports
from named_findings
group by all
order by agency, check_id
