-- dashboard_coverage: the agency × year grid of expected and found reports for the heat map.
select agency_id, agency_name, year, expected, found, n_reports, status
from coverage
order by agency_name, year
