-- alert_findings: every published finding, per-report and cross-report, as the alerts digest reads them.
select report_id, year, agency, check_id, scope, severity, metric, applicant, message
from findings
