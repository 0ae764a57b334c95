-- dashboard_tables: the columns of every table the published warehouse holds, so the dashboard can say
-- "not available" for a section whose mart (or mart version) has not been built yet instead of failing.
select table_name, column_name
from information_schema.columns
where table_schema = 'main' and table_catalog = current_database()
order by table_name, ordinal_position
