-- dashboard_findings_list: the findings themselves, newest statistics year first, capped for the page.
-- `agency` is the canonical name when the report is the one chosen for its agency-year (see
-- dashboard_findings_by_agency), else the name the report prints.
-- $limit: the maximum number of rows.
select
    coalesce(agency_year.agency_name, findings.agency, '(agency unknown)') as agency,
    findings.year,
    findings.check_id,
    findings.severity,
    findings.metric,
    findings.applicant,
    findings.message
from findings
left join agency_year using (report_id)
order by findings.year desc nulls last, agency, findings.check_id, findings.metric, findings.applicant
limit $limit
